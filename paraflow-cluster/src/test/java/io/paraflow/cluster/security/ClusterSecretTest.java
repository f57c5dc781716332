package io.paraflow.cluster.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterSecretTest {
    @TempDir
    Path directory;

    @Test
    void theTextFormReadsBackAsTheSameSecret() {
        ClusterSecret secret = ClusterSecret.generate();

        assertThat(ClusterSecret.parse("  " + secret.encoded() + "\n")).isEqualTo(secret);
        assertThat(ClusterSecret.generate()).isNotEqualTo(secret);
        assertThat(secret.encoded()).startsWith("paraflow-secret-v1:");
    }

    @Test
    void toStringNeverShowsTheSecret() {
        ClusterSecret secret = ClusterSecret.generate();
        String key = secret.encoded().substring("paraflow-secret-v1:".length());

        assertThat(secret.toString()).doesNotContain(key).doesNotContain(key.substring(0, 8));
    }

    @Test
    void malformedTextIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> ClusterSecret.parse("hunter2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("paraflow secret")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ClusterSecret.parse("paraflow-secret-v1:not*base64"))
                .hasMessageContaining("not base64url").hasMessageNotContaining("not*base64");
        assertThatThrownBy(() -> ClusterSecret.parse("paraflow-secret-v1:AAAA"))
                .hasMessageContaining("3 key bytes instead of 32");
    }

    @Test
    void aFileReadableOnlyByItsOwnerIsRead() throws IOException {
        ClusterSecret secret = ClusterSecret.generate();
        Path file = privateFile(secret.encoded() + "\n");

        assertThat(ClusterSecret.fromFile(file)).isEqualTo(secret);
        assertThat(ClusterSecret.resolve(file)).isEqualTo(secret);
    }

    @Test
    void aFileOthersCanReadIsRefused() throws IOException {
        Path file = privateFile(ClusterSecret.generate().encoded());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> ClusterSecret.fromFile(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("accessible by others")
                .hasMessageContaining("chmod 600");
    }

    @Test
    void aMissingFileOrOneWithoutASecretSaysSo() throws IOException {
        assertThatThrownBy(() -> ClusterSecret.fromFile(directory.resolve("absent")))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("paraflow secret");
        Path garbage = privateFile("not a secret");
        assertThatThrownBy(() -> ClusterSecret.fromFile(garbage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(garbage.toString())
                .hasMessageContaining("not a Paraflow cluster secret");
    }

    @Test
    void anUnsetEnvironmentVariableSaysHowToGiveASecret() {
        String variable = "PARAFLOW_TEST_SECRET_THAT_IS_NOT_SET";
        assertThat(System.getenv(variable)).isNull();

        assertThatThrownBy(() -> ClusterSecret.fromEnvironment(variable))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(variable + " is not set");
    }

    private Path privateFile(String content) throws IOException {
        Path file = Files.createFile(directory.resolve("secret-" + System.nanoTime()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, content);
    }
}

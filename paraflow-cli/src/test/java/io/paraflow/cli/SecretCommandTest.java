package io.paraflow.cli;

import io.paraflow.cluster.security.ClusterSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class SecretCommandTest {
    @TempDir
    Path directory;

    @Test
    void printsANewSecretEachTime() {
        CommandRun first = CommandRun.of("secret");
        CommandRun second = CommandRun.of("secret");

        assertThat(first.exitCode()).as(first.err()).isZero();
        ClusterSecret secret = ClusterSecret.parse(first.out());
        assertThat(ClusterSecret.parse(second.out())).isNotEqualTo(secret);
    }

    @Test
    void writesAFileOnlyItsOwnerCanReadAndWhichMembersAccept() throws IOException {
        Path file = directory.resolve("cluster.secret");

        CommandRun run = CommandRun.of("secret", "--file", file.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("--secret-file " + file).doesNotContain("paraflow-secret-v1:");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ClusterSecret.fromFile(file).encoded()).isEqualTo(Files.readString(file).strip());
    }

    @Test
    void refusesToReplaceAnExistingFileUnlessForced() throws IOException {
        Path file = directory.resolve("cluster.secret");
        CommandRun.of("secret", "--file", file.toString());
        String original = Files.readString(file);

        CommandRun refused = CommandRun.of("secret", "--file", file.toString());

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains(file.toString()).contains("already exists").contains("--force");
        assertThat(Files.readString(file)).isEqualTo(original);

        CommandRun forced = CommandRun.of("secret", "--file", file.toString(), "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(Files.readString(file)).isNotEqualTo(original);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}

package io.paraflow.cli;

import io.paraflow.cluster.security.ClusterSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code paraflow worker}'s errors, which come before it joins anything (a running worker is tested in
 * paraflow-cluster, through the same builder).
 */
class WorkerCommandTest {
    @TempDir
    Path directory;

    /** A new secret in {@code directory}/cluster.secret, readable by its owner only, as {@code paraflow secret} writes it. */
    static Path secretFile(Path directory) throws IOException {
        Path file = directory.resolve("cluster.secret");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, ClusterSecret.generate().encoded());
        return file;
    }

    private Path secretFile() throws IOException {
        return secretFile(directory);
    }

    @Test
    void aMissingSecretFileIsAnErrorNamingIt() {
        Path missing = directory.resolve("nowhere.secret");
        CommandRun run = CommandRun.of("worker", "--secret-file", missing.toString());
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains(missing.toString());
    }

    @Test
    void aBadMemorySizeIsAnErrorNamingTheOption() throws IOException {
        CommandRun run = CommandRun.of("worker", "--secret-file", secretFile().toString(), "--memory", "lots");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--memory").contains("'lots'");
    }

    @Test
    void aMissingClasspathEntryIsAnErrorNamingIt() throws IOException {
        Path jar = directory.resolve("app.jar");
        CommandRun run = CommandRun.of("worker", "--secret-file", secretFile().toString(), "--classpath", jar.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--classpath").contains(jar.toString());
    }

    @Test
    void aBadJoinAddressIsAnErrorNamingIt() throws IOException {
        CommandRun run = CommandRun.of("worker", "--secret-file", secretFile().toString(), "--join", "host:port");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("join").contains("host:port");
    }

    @Test
    void theClasspathIsSplitAtThePlatformsPathSeparatorAndMayBeRepeated() {
        assertThat(WorkerCommand.classpathEntries(List.of("a.jar" + File.pathSeparator + "classes", "b.jar")))
                .containsExactly(Path.of("a.jar"), Path.of("classes"), Path.of("b.jar"));
    }

    @Test
    void sizesTakeTheUsualSuffixes() {
        assertThat(WorkerCommand.parseSize("512")).isEqualTo(512);
        assertThat(WorkerCommand.parseSize("64k")).isEqualTo(64L << 10);
        assertThat(WorkerCommand.parseSize("512m")).isEqualTo(512L << 20);
        assertThat(WorkerCommand.parseSize("16G")).isEqualTo(16L << 30);
        assertThat(WorkerCommand.parseSize("16GiB")).isEqualTo(16L << 30);
        assertThat(WorkerCommand.parseSize("2t")).isEqualTo(2L << 40);
        assertThatThrownBy(() -> WorkerCommand.parseSize("0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> WorkerCommand.parseSize("-1g")).hasMessageContaining("'-1g'");
    }
}

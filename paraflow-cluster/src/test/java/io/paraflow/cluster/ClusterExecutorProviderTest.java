package io.paraflow.cluster;

import io.paraflow.Flow;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.exec.ExecutorProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The provider behind {@code paraflow run --cluster}: found by the core, and its configuration errors,
 * which come before it joins anything (a run that joins a cluster is tested in paraflow-cli's RunCommandTest).
 */
class ClusterExecutorProviderTest {
    @TempDir
    Path directory;

    @AfterEach
    void clearProperties() {
        for (String property : new String[] {ExecutorProvider.PROPERTY, ClusterExecutorProvider.JOIN,
                ClusterExecutorProvider.SECRET_FILE, ClusterExecutorProvider.BIND, ClusterExecutorProvider.ALLOW,
                ClusterExecutorProvider.GRID_THRESHOLD}) {
            System.clearProperty(property);
        }
    }

    @Test
    void theCoreFindsTheProviderOfTheClusterLabel() {
        assertThat(ServiceLoader.load(ExecutorProvider.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(provider -> {
                    assertThat(provider).isInstanceOf(ClusterExecutorProvider.class);
                    assertThat(provider.label()).isEqualTo(ClusterExecutor.DEFAULT_LABEL);
                });
    }

    @Test
    void withoutAddressesToJoinTheBuildSaysWhichPropertyToSet() {
        System.setProperty(ExecutorProvider.PROPERTY, "cluster");
        assertThatThrownBy(() -> Flow.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(ClusterExecutorProvider.JOIN).hasMessageContaining("--cluster");
    }

    @Test
    void aMissingSecretFileFailsTheBuildNamingIt() {
        Path missing = directory.resolve("nowhere.secret");
        System.setProperty(ExecutorProvider.PROPERTY, "cluster");
        System.setProperty(ClusterExecutorProvider.JOIN, "127.0.0.1:5701");
        System.setProperty(ClusterExecutorProvider.SECRET_FILE, missing.toString());
        assertThatThrownBy(() -> Flow.builder().build()).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(ClusterExecutorProvider.SECRET_FILE).hasMessageContaining(missing.toString());
    }

    @Test
    void aMalformedAllowPatternFailsBeforeJoiningNamingIt() throws Exception {
        Path secret = directory.resolve("cluster.secret");
        Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, ClusterSecret.generate().encoded());
        System.setProperty(ClusterExecutorProvider.JOIN, "127.0.0.1:5701");
        System.setProperty(ClusterExecutorProvider.SECRET_FILE, secret.toString());
        System.setProperty(ClusterExecutorProvider.ALLOW, "org.example.**, **");
        assertThatThrownBy(() -> new ClusterExecutorProvider().create()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'**'");
    }

    @Test
    void aBadGridThresholdFailsBeforeJoiningNamingIt() throws Exception {
        Path secret = directory.resolve("cluster.secret");
        Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, ClusterSecret.generate().encoded());
        System.setProperty(ClusterExecutorProvider.JOIN, "127.0.0.1:5701");
        System.setProperty(ClusterExecutorProvider.SECRET_FILE, secret.toString());
        for (String bad : new String[] {"64k", "-1"}) {
            System.setProperty(ClusterExecutorProvider.GRID_THRESHOLD, bad);
            assertThatThrownBy(() -> new ClusterExecutorProvider().create()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(ClusterExecutorProvider.GRID_THRESHOLD).hasMessageContaining("'" + bad + "'");
        }
    }
}

package io.paraflow.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileRefTest {

    @TempDir
    Path dir;

    @Test
    void aReferenceIsAbsoluteNormalizedAndEqualByPath() {
        FileRef relative = FileRef.of("some/../data.txt");

        assertThat(relative.path()).isEqualTo(Path.of("data.txt").toAbsolutePath());
        assertThat(relative).isEqualTo(FileRef.of(Path.of("data.txt").toAbsolutePath())).hasSameHashCodeAs(FileRef.of("data.txt"));
        assertThat(relative.toString()).isEqualTo(relative.path().toString());
        assertThat(relative).isNotEqualTo(FileRef.of("other.txt"));
    }

    @Test
    void existsFollowsTheFile() throws Exception {
        FileRef ref = FileRef.of(dir.resolve("later.txt"));
        assertThat(ref.exists()).isFalse();

        Files.writeString(ref.path(), "now");

        assertThat(ref.exists()).isTrue();
    }

    @Test
    void outputChecksThatTheFileExists() throws Exception {
        Path missing = dir.resolve("missing.txt");
        assertThatThrownBy(() -> FileRef.output(missing)).isInstanceOfSatisfying(MissingOutputException.class, e -> {
            assertThat(e.file()).isEqualTo(missing);
            assertThat(e).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        });

        Path present = Files.writeString(dir.resolve("present.txt"), "x");
        assertThat(FileRef.output(present)).isEqualTo(FileRef.of(present));
    }

    @Test
    void aReferenceSurvivesSerialization() throws Exception {
        FileRef ref = FileRef.of(dir.resolve("data.txt"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(ref);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(ref);
        }
    }

    @Test
    void nullsAreRejected() {
        assertThatThrownBy(() -> FileRef.of((Path) null)).isInstanceOf(NullPointerException.class).hasMessage("path");
        assertThatThrownBy(() -> FileRef.of((String) null)).isInstanceOf(NullPointerException.class).hasMessage("path");
    }
}

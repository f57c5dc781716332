package io.paraflow.exec.process;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The builder refuses bad settings at once, naming the setting; nothing here starts a process. */
class ProcessExecutorBuilderTest {

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        ProcessExecutor.Builder builder = ProcessExecutor.builder();
        assertThatThrownBy(() -> builder.workers(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers");
        assertThatThrownBy(() -> builder.label(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label");
        assertThatThrownBy(() -> builder.jvmOptions("Xmx1g")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jvmOptions").hasMessageContaining("Xmx1g");
        assertThatThrownBy(() -> builder.environment("A=B", "c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("environment");
        assertThatThrownBy(() -> builder.recycleAfter(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recycleAfter");
        assertThatThrownBy(() -> builder.allow("**")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every class");
        assertThatThrownBy(() -> builder.allow("com.example.*;!*")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pattern");
        assertThatThrownBy(() -> builder.classpath(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classpath");
    }

    @Test
    void defaultsAndCapacity() {
        ProcessExecutor executor = ProcessExecutor.builder().workers(3).classpath(List.of(Path.of("/nowhere"))).build();
        try {
            assertThat(executor.label()).isEqualTo(ProcessExecutor.DEFAULT_LABEL);
            assertThat(executor.capacity().cores()).isEqualTo(3);
            assertThat(executor.workers()).isEmpty();
        } finally {
            executor.close();
        }
    }
}

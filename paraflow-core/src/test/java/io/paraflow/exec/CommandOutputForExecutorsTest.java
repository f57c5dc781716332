package io.paraflow.exec;

import io.paraflow.command.CommandOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** An executor outside the command package can build what {@link TaskExecutor#timeoutOutput} returns. */
class CommandOutputForExecutorsTest {

    @TempDir
    Path dir;

    @Test
    void theTailsOfEachFileGoWhereTheirNamesSay() throws IOException {
        Path stdout = Files.writeString(dir.resolve("task.stdout"), "step 1\nstep 2\n");
        Path stderr = Files.writeString(dir.resolve("task.stderr"), "warning: slow\n");

        CommandOutput output = CommandOutput.readStdoutAndStderr(stdout, stderr);

        assertThat(output.stdout()).isEqualTo(stdout);
        assertThat(output.stdoutTail()).isEqualTo("step 1\nstep 2");
        assertThat(output.stderr()).isEqualTo(stderr);
        assertThat(output.stderrTail()).isEqualTo("warning: slow");
        assertThat(output.sections()).isEqualTo("\n--- last lines of stderr (" + stderr + "):\nwarning: slow"
                + "\n--- last lines of stdout (" + stdout + "):\nstep 1\nstep 2");
    }

    @Test
    void missingFilesGiveEmptyTails() {
        CommandOutput output = CommandOutput.readStdoutAndStderr(dir.resolve("none.stdout"), dir.resolve("none.stderr"));

        assertThat(output.stdoutTail()).isEmpty();
        assertThat(output.stderrTail()).isEmpty();
        assertThat(output.sections()).isEmpty();
    }
}

package io.paraflow.command;

import io.paraflow.Flow;
import io.paraflow.Task;

import java.nio.file.Path;

/**
 * A driver that exits while a command runs, without closing its flow: started in its own JVM by
 * {@link ShutdownHookTest}. Argument: the run directory.
 */
public final class AbandonedCommandMain {
    private AbandonedCommandMain() {
    }

    public static void main(String[] args) throws Exception {
        Path run = Path.of(args[0]);
        Flow flow = CommandFlows.flow(run, 1);
        Task<CommandResult> slow = flow.command("abandoned")
                .shell("sleep 120 & echo $! >> pids; echo $$ >> pids; wait").submit();
        CommandFlows.awaitLines(CommandFlows.directoryOf(run, slow).resolve("pids"), 2);
        System.exit(0);
    }
}

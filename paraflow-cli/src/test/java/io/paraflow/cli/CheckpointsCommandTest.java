package io.paraflow.cli;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.cache.FlushPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointsCommandTest {

    @TempDir
    Path store;

    private void runWorkflow() throws Exception {
        try (Flow flow = Flow.builder().threads(2).checkpoints(store).flushPolicy(FlushPolicy.everyTask()).build()) {
            List<Task<Integer>> squares = flow.task("square").cache("v3").map(x -> x * x, List.of(1, 2, 3));
            Task<Integer> failing = flow.task("broken").cacheFailures().submit(x -> {
                throw new IllegalStateException("no " + x);
            }, squares.get(0));
            flow.awaitAll();
            assertThat(failing.toCompletableFuture().isCompletedExceptionally()).isTrue();
        }
    }

    @Test
    void listSummarisesPerTaskAndAllPrintsEveryResult() throws Exception {
        runWorkflow();
        CommandRun list = CommandRun.of("checkpoints", "list", store.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("square @v3\\s+3\\s+0\\s+\\d+")
                .containsPattern("broken\\s+0\\s+1\\s+\\d+")
                .contains("4 result(s) in " + store);
        CommandRun all = CommandRun.of("checkpoints", "list", "--all", store.toString());
        assertThat(all.out().lines().filter(l -> l.contains(" square ")).count()).isEqualTo(3);
        assertThat(all.out()).containsPattern("broken\\s+-\\s+failure");
    }

    @Test
    void cleanDeletesTheStoreAndAMissingStoreIsAClearError() throws Exception {
        runWorkflow();
        CommandRun clean = CommandRun.of("checkpoints", "clean", store.toString());
        assertThat(clean.exitCode()).as(clean.err()).isZero();
        assertThat(clean.out()).contains("deleted 4 result(s) from " + store);
        CommandRun gone = CommandRun.of("checkpoints", "list", store.toString());
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("paraflow checkpoints list: no checkpoint store in " + store);
        assertThat(CommandRun.of("checkpoints", "clean", store.resolve("nothing").toString()).err())
                .contains("no checkpoint store in " + store.resolve("nothing"));
    }

    @Test
    void withoutASubcommandItSaysWhatToChoose() {
        CommandRun bare = CommandRun.of("checkpoints");
        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).contains("choose list or clean");
    }
}

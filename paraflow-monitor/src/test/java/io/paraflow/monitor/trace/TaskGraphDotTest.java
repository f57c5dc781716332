package io.paraflow.monitor.trace;

import io.paraflow.monitor.MixedRun;
import io.paraflow.monitor.store.RunDatabase;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The task graph in DOT: every task and dependency, or grouped by name above the bound. */
@ExtendWith(NoLeakedThreads.class)
class TaskGraphDotTest {

    @TempDir
    Path dir;

    @Test
    void everyTaskIsANodeColouredByOutcomeAndEveryDependencyAnEdge() throws Exception {
        Path db = dir.resolve("mixed.db");
        Map<String, Long> ids = MixedRun.record(db);
        String text = dot(db, TaskGraphDot.DEFAULT_MAX_TASKS);
        assertThat(text).startsWith("digraph run {").endsWith("}\n");
        long ok = ids.get("ok");
        long broken = ids.get("broken");
        long downstream = ids.get("downstream");
        assertThat(text).contains("  t" + ok + " [label=\"ok\\n#" + ok + "\", fillcolor=\"#c8e6c9\"];\n")
                .contains("  t" + broken + " [label=\"broken\\n#" + broken + "\", fillcolor=\"#ffcdd2\"];\n")
                .contains("  t" + ids.get("blocked") + " [label=\"blocked\\n#" + ids.get("blocked") + "\", fillcolor=\"#e0e0e0\"];\n");
        assertThat(text.lines().filter(l -> l.contains("->")))
                .containsExactlyInAnyOrder("  t" + ok + " -> t" + downstream + ";", "  t" + broken + " -> t" + downstream + ";",
                        "  t" + ids.get("blocked") + " -> t" + ids.get("after-blocked") + ";");
        assertThat(text.lines().filter(l -> l.contains("[label="))).hasSize(6);
    }

    @Test
    void aboveTheBoundTasksAreGroupedByName() throws Exception {
        Path db = dir.resolve("mixed.db");
        MixedRun.record(db);
        assertThat(dot(db, 5))
                .contains("  \"broken\" [label=\"broken\\n1 task: 1 failed\", fillcolor=\"#ffcdd2\"];\n")
                .contains("  \"ok\" -> \"downstream\" [label=\"1\"];\n")
                .contains("  \"blocked\" -> \"after-blocked\" [label=\"1\"];\n");
        assertThatThrownBy(() -> TaskGraphDot.write(null, new StringWriter(), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTasks");
    }

    @Test
    void aGroupUnderWayIsDrawnUnfinishedWithItsCountsAndStripesAsWideAsTheirShares() throws Exception {
        Path db = dir.resolve("sweep.db");
        MixedRun.record(db);
        MixedRun.addSweepUnderWay(db, 5, 1, 34);
        assertThat(dot(db, 5))
                .contains("  \"sweep\" [label=\"sweep\\n40 tasks: 5 finished, 1 running, 34 waiting\", style=\"striped\","
                        + " fillcolor=\"#c8e6c9;0.125:#bbdefb;0.025:#ffffff\"];\n")
                // a group of one state is filled with its colour
                .contains("  \"ok\" [label=\"ok\\n1 task: 1 finished\", fillcolor=\"#c8e6c9\"];\n");
        try (RunDatabase run = RunDatabase.open(db)) {
            assertThat(TaskGraph.read(run, 5).nodes()).filteredOn(node -> node.name().equals("sweep"))
                    .extracting(TaskGraph.Node::state, TaskGraph.Node::finished)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("running", 5L));
        }
    }

    @Test
    void aGroupsStateIsItsMostTellingOneSoThatItFinishesOnlyWhenAllItsTasksEnded() {
        // key, name, tasks, failed, cancelled, running, waiting
        assertThat(new TaskGraph.Node("g", "g", 40, 1, 1, 1, 30).state()).isEqualTo("failed");
        assertThat(new TaskGraph.Node("g", "g", 40, 0, 1, 1, 30).state()).isEqualTo("running");
        assertThat(new TaskGraph.Node("g", "g", 40, 0, 1, 0, 30).state()).isEqualTo("waiting");
        assertThat(new TaskGraph.Node("g", "g", 40, 0, 1, 0, 0).state()).isEqualTo("cancelled");
        assertThat(new TaskGraph.Node("g", "g", 40, 0, 0, 0, 0).state()).isEqualTo("finished");
        assertThat(new TaskGraph.Node("g", "g", 40, 2, 1, 3, 30).counts())
                .isEqualTo("4 finished, 3 running, 30 waiting, 2 failed, 1 cancelled");
    }

    @Test
    void namesThatAreAllDistinctAreGroupedWithoutTheirIndexAndAtMostTheLargestGroupsDrawn() throws Exception {
        Path db = dir.resolve("distinct.db");
        MixedRun.record(db);
        MixedRun.addTasksOfDistinctNames(db);
        String dot = dot(db, 100);
        // 258 groups: sim* (300 tasks), post* (300), the mixed run's 6 names and 250 job names of one task each
        assertThat(dot)
                .contains("  label=\"not drawn: 58 smaller group(s) of 58 task(s)\";\n")
                .contains("  \"sim\" [label=\"sim*\\n300 tasks: 300 finished\", fillcolor=\"#c8e6c9\"];\n")
                .contains("  \"post\" [label=\"post*\\n300 tasks: 300 finished\", fillcolor=\"#c8e6c9\"];\n")
                .contains("  \"sim\" -> \"post\" [label=\"300\"];\n")
                .contains("  \"broken\" [label=\"broken\\n1 task: 1 failed\", fillcolor=\"#ffcdd2\"];\n")
                .contains("  \"jobaa\" [label=").doesNotContain("\"jobjp\"");
        assertThat(dot.lines().filter(l -> l.contains("[label=") && !l.contains("->"))).hasSize(TaskGraph.MAX_GROUPS);
    }

    private static String dot(Path db, int maxTasks) throws Exception {
        StringWriter dot = new StringWriter();
        try (RunDatabase run = RunDatabase.open(db)) {
            TaskGraphDot.write(run, dot, maxTasks);
        }
        return dot.toString();
    }

    @Test
    void quotesAndLineBreaksAreEscaped() {
        assertThat(TaskGraphDot.quoted("say \"hi\"\\\nnow")).isEqualTo("\"say \\\"hi\\\"\\\\\\nnow\"");
    }
}

package io.paraflow.monitor;

import io.paraflow.event.FlowInfo;
import io.paraflow.event.TaskEvent.Kind;
import io.paraflow.event.TaskInfo;
import io.paraflow.exec.Resources;
import io.paraflow.monitor.progress.ProgressLine;
import io.paraflow.monitor.store.RunWriter;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.Writer;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.paraflow.monitor.Collected.assertCollected;
import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/** The monitor's choice of the tasks it shows as waiting and running, on steps it is handed directly. */
@ExtendWith(NoLeakedThreads.class)
class MonitorThreadTest {

    private static final int WAITING = MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE + 5_000;

    @TempDir
    Path dir;

    /**
     * A task submitted at 10 with dependencies on tasks 1 and 2, named after its state when asked: ended, or
     * started (on "worker", attempt 1) or neither (waiting). A started one goes on as the test moves it: the
     * runtime's order for a retry ({@link #retry}), or such a retry as soon as its worker has been read.
     */
    private static final class View implements TaskInfo {
        private final long id;
        private final boolean ended;
        private volatile int attempt = 1;
        private volatile long startedNanos;
        private volatile String worker;
        private volatile boolean retryOnceWorkerRead;
        /** What it keeps alive, as a runtime task keeps its flow (and, through the flow's listener, the monitor). */
        private Object flow;

        View(long id, boolean ended, long startedNanos) {
            this.id = id;
            this.ended = ended;
            this.startedNanos = startedNanos;
            this.worker = startedNanos != 0 ? "worker" : null;
        }

        /** A task whose try started at 20. */
        static View started(long id) {
            return new View(id, false, 20);
        }

        View keeping(Object flow) {
            this.flow = flow;
            return this;
        }

        /** As the runtime retries: the try's fields cleared, then the next attempt numbered. */
        void retry() {
            startedNanos = 0;
            worker = null;
            attempt = attempt + 1;
        }

        @Override
        public long flowId() {
            return 1;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public String name() {
            return ended ? "ended" : startedNanos != 0 ? "started" : "waiting";
        }

        @Override
        public String executorLabel() {
            return "threads";
        }

        @Override
        public Resources resources() {
            return new Resources(1, 0, 0);
        }

        @Override
        public long[] dependencyIds() {
            return new long[] {1, 2};
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public long submittedNanos() {
            return 10;
        }

        @Override
        public long readyNanos() {
            return 0;
        }

        @Override
        public long startedNanos() {
            return startedNanos;
        }

        @Override
        public String worker() {
            String read = worker;
            if (retryOnceWorkerRead) {
                retryOnceWorkerRead = false;
                retry();
            }
            return read;
        }

        @Override
        public boolean ended() {
            return ended;
        }
    }

    private MonitorThread monitor(Path db) throws Exception {
        FlowInfo flow = new FlowInfo(1, 1, Map.of("threads", new Resources(2, 0, 0)), "threads", 1000, false);
        // a single sample, taken when the monitor starts: every step published before is read by then
        return new MonitorThread(flow, RunWriter.create(db, "running", flow), null, Duration.ofHours(1), "host", 1 << 26,
                failure -> { });
    }

    @Test
    void everyTryStartedOnAThreadThatStartedAnotherSinceRunsUntilItEnds() throws Exception {
        Path db = dir.resolve("running.db");
        MonitorThread monitor = monitor(db);
        View one = View.started(1);
        View two = View.started(2);
        View three = View.started(3);
        // as a thread handing tries to worker processes: it starts them all, others hear their ends
        for (View task : List.of(one, two, three)) {
            monitor.publish(task, Kind.STARTED, 1, 20, null);
        }
        Thread retrier = new Thread(() -> monitor.publish(three, Kind.RETRIED, 1, 30, new IllegalStateException("lost")),
                "retrier");
        retrier.start();
        retrier.join();
        three.retry();
        monitor.start();
        assertThat(monitor.stop(40)).isNull();

        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT task_id, attempt, outcome FROM tries ORDER BY task_id"))
                    .as("the tries started before the last one run on; a retried one waits for its next attempt")
                    .containsExactly(List.of(1, 1, "running"), List.of(2, 1, "running"), List.of(3, 1, "retried"));
        }
    }

    @Test
    void aRetriedTaskThatNoSampleSawGetsARowWaitingForItsNextTry() throws Exception {
        Path db = dir.resolve("unseen.db");
        MonitorThread monitor = monitor(db);
        // its submission was not kept (as when the monitor prunes a long queue of submissions)
        View task = View.started(7);
        monitor.publish(task, Kind.RETRIED, 1, 30, new IllegalStateException("lost"));
        task.retry();
        monitor.start();
        assertThat(monitor.stop(40)).isNull();

        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT task_id, state, attempts, submitted_ns FROM tasks"))
                    .containsExactly(List.of(7, "waiting", 1, 10));
            assertThat(rows(c, "SELECT task_id, attempt, outcome FROM tries")).containsExactly(List.of(7, 1, "retried"));
        }
    }

    @Test
    void aTryRetriedWhileItIsSampledGetsNoRowPairingItsFieldsWithTheNextAttempt() throws Exception {
        Path db = dir.resolve("retried.db");
        MonitorThread monitor = monitor(db);
        View task = View.started(1);
        monitor.publish(task, Kind.STARTED, 1, 20, null);
        task.retryOnceWorkerRead = true;
        monitor.start();
        assertThat(monitor.stop(40)).isNull();

        assertThat(task.attempt()).as("the retry came while the sample read the try").isEqualTo(2);
        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT task_id, attempt, started_ns, worker FROM tries"))
                    .as("attempt 1 ended while it was read, attempt 2 has not started").isEmpty();
        }
    }

    @Test
    void aMonitorThatDiedKeepsNoTaskOfItsFlowOnAThreadThatLivesOn() throws Exception {
        // this thread lives on, its lanes in its ThreadLocal map, and would keep the flow through a task
        assertCollected(List.of(startedOnThisThreadAsTheMonitorDies()));
    }

    private WeakReference<TaskInfo> startedOnThisThreadAsTheMonitorDies() throws Exception {
        FlowInfo flow = new FlowInfo(1, 1, Map.of("threads", new Resources(2, 0, 0)), "threads", 1000, false);
        Writer gone = new Writer() {
            @Override
            public void write(char[] text, int offset, int length) {
                throw new IllegalStateException("the terminal is gone");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        // drawn at the monitor's first tick, on its thread, which dies of it
        ProgressLine line = new ProgressLine(new PrintWriter(gone), null, true, 0, Duration.ofSeconds(1), System.nanoTime());
        MonitorThread monitor = new MonitorThread(flow, RunWriter.create(dir.resolve("died.db"), "died", flow), line,
                Duration.ofHours(1), "host", 1 << 26, failure -> { });
        View task = View.started(1).keeping(monitor);
        monitor.publish(task, Kind.STARTED, 1, 20, null);
        monitor.start();
        assertThat(monitor.stop(30)).hasMessage("the terminal is gone");
        return new WeakReference<>(task);
    }

    @Test
    void oneSampleShowsAtMostItsBoundOfWaitingTasksAndNeverOneThatStartedOrEnded() throws Exception {
        Path db = dir.resolve("waiting.db");
        FlowInfo flow = new FlowInfo(1, 1, Map.of("threads", new Resources(2, 0, 0)), "threads", 1000, false);
        // a single sample, taken when the monitor starts: every submission below is read before it
        MonitorThread monitor = new MonitorThread(flow, RunWriter.create(db, "waiting", flow), null,
                Duration.ofHours(1), "host", 1 << 26, failure -> { });
        // first in line, so that they would be among the rows written if they were taken for waiting ones: a
        // task whose end was read before its submission (another thread's lane), and one that runs
        monitor.publish(new View(100_000, true, 0), Kind.SUBMITTED, 0, 10, null);
        monitor.publish(new View(100_001, false, 20), Kind.SUBMITTED, 0, 10, null);
        for (int i = 0; i < WAITING; i++) {
            monitor.publish(new View(i, false, 0), Kind.SUBMITTED, 0, 10, null);
        }
        monitor.start();
        assertThat(monitor.stop(30)).isNull();

        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT name, state, count(*), min(task_id), max(task_id), sum(attempts), sum(ended_ns IS NULL)"
                    + " FROM tasks GROUP BY name")).containsExactly(List.of("waiting", "waiting",
                    MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE, 0, MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE - 1, 0,
                    MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE));
            assertThat(rows(c, "SELECT count(*), count(DISTINCT task_id), sum(depends_on) FROM dependencies"))
                    .containsExactly(List.of(2 * MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE,
                            MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE, 3 * MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE));
            assertThat(rows(c, "SELECT submitted FROM progress WHERE at_ns = 30")).containsExactly(List.of(WAITING + 2));
        }
    }
}

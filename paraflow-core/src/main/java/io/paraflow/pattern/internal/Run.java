package io.paraflow.pattern.internal;

import io.paraflow.pattern.PatternException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of an assembled pattern: its nodes' threads, the first failure, and stopping. The first
 * failure (a node's exception, or cancellation) wins; it sets {@code stopped} and interrupts every
 * node's thread, so a node waiting in the runtime ends with {@link StopSignal} and a node blocked in its
 * own code is interrupted. {@link #start} and {@link #await} may be called from any thread (start once).
 */
public final class Run {

    private static final AtomicLong RUNS = new AtomicLong();

    /** Spins before a waiting node yields when every node can have a core of its own. */
    private static final int SPINS_ON_OWN_CORES = 128;
    /**
     * Spins when there are more nodes than cores: a node that spins then takes the core of one that has
     * work (measured: a farm's collector fed every 0.5 µs never got past a long spin phase and used a
     * third of the two cores), so it soon yields and parks, and deferred wake-ups give it batches.
     */
    private static final int SPINS_ON_SHARED_CORES = 16;
    private static final int YIELDS_ON_OWN_CORES = 4;
    /**
     * Yields when there are more nodes than cores: each yield that finds another thread runnable is a
     * context switch back and forth (measured, 2 cores: 1 yield instead of 4 gave the pipeline 11.8-12.2
     * instead of 9.9-10.3 M items/s and the 1 us farm 83-84 % instead of 72-73 %; 0 yields was in between).
     */
    private static final int YIELDS_ON_SHARED_CORES = 1;

    final boolean busySpin;
    /** Spins of a waiting node before it yields; set by {@link #start} from the number of nodes and cores. */
    int spins;
    /** Yields of a waiting node before it parks; set with {@link #spins}. */
    int yields;
    private final String patternName;
    private final long id = RUNS.incrementAndGet();
    private final List<Node> nodes = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean stopped;
    private CountDownLatch finished;

    public Run(String patternName, boolean busySpin) {
        this.patternName = patternName;
        this.busySpin = busySpin;
    }

    Node register(Node node) {
        nodes.add(node);
        return node;
    }

    /** Starts one thread per node. If a thread cannot be started, stops those already running and rethrows. */
    public void start() {
        finished = new CountDownLatch(nodes.size());
        boolean ownCores = nodes.size() <= Runtime.getRuntime().availableProcessors();
        spins = ownCores ? SPINS_ON_OWN_CORES : SPINS_ON_SHARED_CORES;
        yields = ownCores ? YIELDS_ON_OWN_CORES : YIELDS_ON_SHARED_CORES;
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            node.thread = new Thread(() -> {
                try {
                    node.runNode();
                } finally {
                    finished.countDown();
                }
            }, "paraflow-pattern-" + id + "-" + i + " (" + node.name + ")");
        }
        int started = 0;
        try {
            for (Node node : nodes) {
                node.thread.start();
                started++;
            }
        } catch (RuntimeException | Error e) {
            cancel();
            for (int i = started; i < nodes.size(); i++) {
                finished.countDown();
            }
            throw e;
        }
    }

    /** Records a node's failure; the first failure stops the run. */
    void fail(Node node, Throwable cause) {
        stop(new PatternException(patternName, node.name, cause));
    }

    /** Stops the run as cancelled, unless it already failed or finished. */
    public void cancel() {
        stop(new CancellationException("pattern '" + patternName + "' was cancelled"));
    }

    private void stop(RuntimeException reason) {
        if (failure.compareAndSet(null, reason)) {
            stopped = true;
            Thread self = Thread.currentThread();
            for (Node node : nodes) {
                if (node.thread != self) {
                    node.thread.interrupt();
                }
            }
        }
    }

    /** Whether the run has stopped: its nodes then end with {@link StopSignal}. */
    boolean isStopped() {
        return stopped;
    }

    /**
     * Waits until every node's thread has ended, at most {@code nanos} (negative: no limit). Returns false
     * on timeout; if interrupted, leaves the run going and rethrows.
     */
    public boolean await(long nanos) throws InterruptedException {
        if (nanos < 0) {
            finished.await();
        } else if (!finished.await(nanos, TimeUnit.NANOSECONDS)) {
            return false;
        }
        for (Node node : nodes) {
            node.thread.join();
        }
        return true;
    }

    /**
     * How many times, in this JVM, a node parked until its park limit although what it waited for had
     * arrived: each is a lost wake-up, turned into a pause. Zero unless the wake-up protocol is broken;
     * the stress tests check it.
     */
    public static long lateWakeUps() {
        return Node.LATE_WAKE_UPS.sum();
    }

    /** Whether every node's thread has ended. */
    public boolean isDone() {
        return finished.getCount() == 0;
    }

    /** After {@link #await}: the first failure or the cancellation, or {@code null} if the run succeeded. */
    public RuntimeException failure() {
        return failure.get();
    }
}

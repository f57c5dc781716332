package io.paraflow.exec;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test executor whose worker ("w1") keeps every result where it was computed and reports a
 * {@link RemoteValue} handle instead, as a cluster executor does with large results. The handle's
 * {@link RemoteValue#load} plays the driver's fetch: it counts the loads and can be made to wait or fail.
 * With {@link #acceptHandles}, tasks of this executor get its handles as arguments and the worker uses its
 * own copy, without a fetch by the driver. Records what it saw, for the tests.
 */
final class KeepingWorkerExecutor implements TaskExecutor {
    static final String WORKER = "w1";

    private record Received(ReadyTask task, int attempt) {
    }

    private static final Received POISON = new Received(null, 0);

    private final String label;
    private final boolean acceptHandles;
    private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final AtomicLong keys = new AtomicLong();
    /** The results the worker keeps, by key; a test removes one to play its loss. */
    final Map<Long, Object> kept = new ConcurrentHashMap<>();
    /** How many times the driver loaded a kept result. */
    final AtomicInteger loads = new AtomicInteger();
    /** The argument values of every invocation the worker received, as shipped. */
    final Queue<List<Object>> shippedArguments = new ConcurrentLinkedQueue<>();
    /** What {@link ReadyTask#largestRemoteArgument()} said for each task handed over. */
    final Queue<RemoteValue> largestArguments = new ConcurrentLinkedQueue<>();
    /** If set, loads wait for it (and say when they started). */
    volatile CountDownLatch loadGate;
    final CountDownLatch loadStarted = new CountDownLatch(1);

    KeepingWorkerExecutor(String label, boolean acceptHandles) {
        this.label = label;
        this.acceptHandles = acceptHandles;
        this.worker = new Thread(this::work, "paraflow-test-keeping-" + label);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** A result kept on the worker. */
    final class Kept extends RemoteValue {
        final long key;

        Kept(ReadyTask producer, long key, long size) {
            super(producer, WORKER, size);
            this.key = key;
        }

        KeepingWorkerExecutor owner() {
            return KeepingWorkerExecutor.this;
        }

        @Override
        protected Object load() throws Exception {
            loads.incrementAndGet();
            loadStarted.countDown();
            CountDownLatch gate = loadGate;
            if (gate != null && !gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the load gate");
            }
            Object value = kept.get(key);
            if (value == null) {
                throw new IllegalStateException("value " + key + " is gone from " + WORKER);
            }
            return value;
        }
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Resources capacity() {
        return new Resources(1, 0, 0);
    }

    @Override
    public boolean acceptsRemote(RemoteValue value) {
        return acceptHandles && value instanceof Kept kept && kept.owner() == this;
    }

    @Override
    public void execute(ReadyTask task) {
        RemoteValue largest = task.largestRemoteArgument();
        if (largest != null) {
            largestArguments.add(largest);
        }
        queue.add(new Received(task, task.attempt()));
    }

    private void work() {
        while (true) {
            Received received;
            try {
                received = queue.take();
            } catch (InterruptedException e) {
                continue;
            }
            if (received == POISON) {
                return;
            }
            ReadyTask task = received.task();
            int attempt = received.attempt();
            Invocation invocation;
            try {
                invocation = task.invocation();
            } catch (IllegalStateException ended) {
                continue;
            }
            task.started(attempt, WORKER);
            Object[] arguments = invocation.arguments();
            shippedArguments.add(List.of(arguments));
            for (int i = 0; i < arguments.length; i++) {
                if (arguments[i] instanceof Kept handle) {
                    // the worker's own copy: no fetch through the driver
                    arguments[i] = kept.get(handle.key);
                }
            }
            try {
                Object result = Invocation.call(invocation.function(), arguments);
                long key = keys.incrementAndGet();
                kept.put(key, result);
                task.succeeded(attempt, new Kept(task, key, result instanceof byte[] bytes ? bytes.length : 1), WORKER);
            } catch (Throwable e) {
                task.failed(attempt, e, WORKER);
            }
        }
    }

    @Override
    public void interruptAll() {
    }

    @Override
    public void close() {
        queue.add(POISON);
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

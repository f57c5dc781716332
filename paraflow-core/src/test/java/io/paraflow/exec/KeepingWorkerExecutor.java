package io.paraflow.exec;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test executor whose worker keeps every result where it was computed and reports a {@link RemoteValue}
 * handle instead, as a cluster executor does with large results. It is a {@link SerializingWorkerExecutor}
 * (one worker, "w1") that sees each attempt through {@link Keeping}. The handle's {@link RemoteValue#load}
 * plays the driver's fetch: it counts the loads and can be made to wait or fail. With {@code acceptHandles},
 * tasks of this executor get its handles as arguments and the worker uses its own copy, without a fetch by
 * the driver. Records what it saw, for the tests; it does not support {@link #stop}.
 */
final class KeepingWorkerExecutor implements TaskExecutor {
    static final String WORKER = SerializingWorkerExecutor.WORKER;

    private final SerializingWorkerExecutor worker;
    private final boolean acceptHandles;
    private final AtomicLong keys = new AtomicLong();
    /** The results the worker keeps, by key; a test removes them to play their loss. */
    final Map<Long, Object> kept = new ConcurrentHashMap<>();
    /** How many times the driver loaded a kept result. */
    final AtomicInteger loads = new AtomicInteger();
    /** The argument values of every invocation the flow built for the worker, before the worker read them. */
    final Queue<List<Object>> shippedArguments = new ConcurrentLinkedQueue<>();
    /** What {@link ReadyTask#largestRemoteArgument()} said for each task handed over. */
    final Queue<RemoteValue> largestArguments = new ConcurrentLinkedQueue<>();
    /** If set, loads wait for it. */
    volatile CountDownLatch loadGate;
    /** If set, loads throw it (an {@link Error}, or an {@link InterruptedException} as an interrupted load does). */
    volatile Throwable loadFailure;
    /** The threads that loaded, in order. */
    final Queue<String> loadThreads = new ConcurrentLinkedQueue<>();
    final CountDownLatch loadStarted = new CountDownLatch(1);

    KeepingWorkerExecutor(String label, boolean acceptHandles) {
        this.worker = new SerializingWorkerExecutor(label);
        this.acceptHandles = acceptHandles;
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
            loadThreads.add(Thread.currentThread().getName());
            loadStarted.countDown();
            Throwable failure = loadFailure;
            if (failure instanceof Error error) {
                throw error;
            }
            if (failure instanceof InterruptedException interrupted) {
                throw interrupted;
            }
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

    /** An attempt as the worker sees it: handles among its arguments read on the worker, its result kept there. */
    private final class Keeping implements ReadyTask {
        private final ReadyTask task;

        Keeping(ReadyTask task) {
            this.task = task;
        }

        @Override
        public Invocation invocation() {
            Invocation invocation = task.invocation();
            Object[] arguments = invocation.arguments();
            shippedArguments.add(Arrays.asList(arguments.clone()));
            for (int i = 0; i < arguments.length; i++) {
                if (arguments[i] instanceof Kept handle) {
                    arguments[i] = kept.get(handle.key);
                }
            }
            return new Invocation(invocation.function(), arguments);
        }

        @Override
        public void succeeded(int attempt, Object result, String where) {
            long key = keys.incrementAndGet();
            kept.put(key, result);
            task.succeeded(attempt, new Kept(task, key, result instanceof byte[] bytes ? bytes.length : 1), where);
        }

        @Override
        public long id() {
            return task.id();
        }

        @Override
        public String name() {
            return task.name();
        }

        @Override
        public int attempt() {
            return task.attempt();
        }

        @Override
        public Resources resources() {
            return task.resources();
        }

        @Override
        public int priority() {
            return task.priority();
        }

        @Override
        public void run() {
            throw new UnsupportedOperationException("an out-of-process attempt");
        }

        @Override
        public void started(int attempt, String where) {
            task.started(attempt, where);
        }

        @Override
        public void failed(int attempt, Throwable error, String where) {
            task.failed(attempt, error, where);
        }
    }

    @Override
    public String label() {
        return worker.label();
    }

    @Override
    public Resources capacity() {
        return worker.capacity();
    }

    @Override
    public boolean acceptsRemote(RemoteValue value) {
        return acceptHandles && value instanceof Kept handle && handle.owner() == this;
    }

    @Override
    public void execute(ReadyTask task) {
        RemoteValue largest = task.largestRemoteArgument();
        if (largest != null) {
            largestArguments.add(largest);
        }
        worker.execute(new Keeping(task));
    }

    @Override
    public void interruptAll() {
        worker.interruptAll();
    }

    @Override
    public void close() {
        worker.close();
    }
}

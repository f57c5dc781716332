package io.paraflow.exec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A test executor shaped like a worker-process executor: it never calls {@link ReadyTask#run()}. It
 * ships {@link ReadyTask#invocation()} to its one worker ("w1") as serialized bytes, the worker invokes
 * it and sends back the serialized result or error, and the executor reports it with
 * {@link ReadyTask#succeeded} / {@link ReadyTask#failed}. {@link #stop} plays "kill the process": it
 * interrupts the worker if it runs that task. Records what it saw, for the tests.
 */
final class SerializingWorkerExecutor implements TaskExecutor {
    static final String WORKER = "w1";

    private static final ReadyTask POISON = new ReadyTask() {
        public long id() { return -1; }
        public String name() { return "poison"; }
        public int attempt() { return 1; }
        public Resources resources() { return Resources.DEFAULT_TASK; }
        public int priority() { return 0; }
        public void run() { }
        public Invocation invocation() { return null; }
        public void started(String worker) { }
        public void succeeded(Object result, String worker) { }
        public void failed(Throwable error, String worker) { }
    };

    private final String label;
    private final BlockingQueue<ReadyTask> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final Object runningLock = new Object();
    private ReadyTask running;
    private volatile boolean closed;

    /** "task id/attempt" for every attempt the worker started. */
    final Queue<String> attempts = new ConcurrentLinkedQueue<>();
    /** The argument values of every invocation the worker received, as shipped. */
    final Queue<List<Object>> shippedArguments = new ConcurrentLinkedQueue<>();
    /** Ids of the tasks the flow asked to stop. */
    final Queue<Long> stopped = new ConcurrentLinkedQueue<>();

    SerializingWorkerExecutor(String label) {
        this.label = label;
        this.worker = new Thread(this::work, "paraflow-test-worker-" + label);
        this.worker.setDaemon(true);
        this.worker.start();
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
    public void execute(ReadyTask task) {
        if (closed) {
            task.failed(new IllegalStateException("executor " + label + " is closed"), WORKER);
            return;
        }
        queue.add(task);
    }

    private void work() {
        while (true) {
            ReadyTask task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                continue;
            }
            if (task == POISON) {
                return;
            }
            synchronized (runningLock) {
                running = task;
                Thread.interrupted();
            }
            attempts.add(task.id() + "/" + task.attempt());
            task.started(WORKER);
            Object outcome;
            boolean ok;
            try {
                // what crosses the process boundary: bytes in, bytes out
                Invocation shipped = (Invocation) copy(task.invocation());
                shippedArguments.add(List.of(shipped.arguments()));
                outcome = copy(shipped.invoke());
                ok = true;
            } catch (Throwable e) {
                outcome = copy(e);
                ok = false;
            }
            synchronized (runningLock) {
                running = null;
                Thread.interrupted();
            }
            if (ok) {
                task.succeeded(outcome, WORKER);
            } else {
                task.failed((Throwable) outcome, WORKER);
            }
        }
    }

    @Override
    public void stop(ReadyTask task) {
        stopped.add(task.id());
        synchronized (runningLock) {
            if (running == task) {
                worker.interrupt();
            }
        }
    }

    @Override
    public void interruptAll() {
        synchronized (runningLock) {
            if (running != null) {
                worker.interrupt();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        queue.add(POISON);
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (ReadyTask left; (left = queue.poll()) != null; ) {
            left.failed(new IllegalStateException("executor " + label + " closed"), WORKER);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A serialization round trip, as values take to and from a worker process. */
    static Object copy(Object value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return in.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not serializable: " + value, e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}

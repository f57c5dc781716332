package io.paraflow.exec;

import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.Serializer;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A test executor shaped like a worker-process executor: it never calls {@link ReadyTask#run()}. It
 * ships {@link ReadyTask#invocation()} to its one worker ("w1") as serialized bytes, the worker invokes
 * it and sends back the serialized result or error, and the executor reports it with
 * {@link ReadyTask#succeeded} / {@link ReadyTask#failed}, stamped with the attempt number it received
 * the task with, as a process executor must. {@link #stop} plays "kill the process": it interrupts the
 * worker if it runs that task. Records what it saw, for the tests.
 */
final class SerializingWorkerExecutor implements TaskExecutor {
    static final String WORKER = "w1";

    /** A task as received: the same task object comes back for each retry, so the attempt travels with it. */
    private record Received(ReadyTask task, int attempt) {
    }

    private static final Received POISON = new Received(null, 0);
    private static final Serializer SERIALIZER = JavaSerializer.allowing(List.of());

    private final String label;
    private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();
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
    /** Ids of the tasks the flow withdrew before they started. */
    final Queue<Long> withdrawn = new ConcurrentLinkedQueue<>();

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
        Received received = new Received(task, task.attempt());
        if (closed) {
            task.failed(received.attempt(), new IllegalStateException("executor " + label + " is closed"), WORKER);
            return;
        }
        queue.add(received);
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
            synchronized (runningLock) {
                running = task;
                Thread.interrupted();
            }
            attempts.add(task.id() + "/" + attempt);
            task.started(attempt, WORKER);
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
                task.succeeded(attempt, outcome, WORKER);
            } else {
                task.failed(attempt, (Throwable) outcome, WORKER);
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
    public void withdraw(ReadyTask task) {
        withdrawn.add(task.id());
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
        for (Received left; (left = queue.poll()) != null; ) {
            if (left != POISON) {
                left.task().failed(left.attempt(), new IllegalStateException("executor " + label + " closed"), WORKER);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A serialization round trip, as values take to and from a worker process. */
    static Object copy(Object value) {
        byte[] bytes = SERIALIZER.toBytes(value);
        return SERIALIZER.fromBytes(bytes, 0, bytes.length);
    }
}

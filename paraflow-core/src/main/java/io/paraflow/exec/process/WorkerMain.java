package io.paraflow.exec.process;

import io.paraflow.RemoteTaskException;
import io.paraflow.exec.Invocation;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.Serializer;
import io.paraflow.serial.SerializerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;

/**
 * The main class of a worker process. The main thread reads {@link Frames#RUN} frames from stdin and
 * hands them to the task thread, which runs them one at a time and answers on stdout. The worker halts
 * as soon as stdin ends (the driver closed it or died), even while a task runs, and also when its parent
 * process is gone; so no worker outlives its driver.
 *
 * <p>{@code System.out} is redirected to stderr, so what tasks print cannot corrupt the frames.
 *
 * <p>Arguments: the class name of the {@link SerializerFactory}, then the allow-list patterns.
 */
final class WorkerMain {
    private static final Duration PARENT_CHECK = Duration.ofMillis(250);

    private WorkerMain() {
    }

    public static void main(String[] args) throws IOException {
        DataOutputStream frames = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        System.setOut(System.err);
        watchParent();
        Serializer serializer = serializer(args);
        Serializer failures = JavaSerializer.allowing(List.of());
        BlockingQueue<byte[]> tasks = new SynchronousQueue<>();
        Thread runner = new Thread(() -> runTasks(tasks, serializer, failures, frames), "paraflow-worker-task");
        runner.setDaemon(true);
        runner.start();
        Frames.write(frames, Frames.READY, new byte[0]);
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
        try {
            for (Frames.Frame frame; (frame = Frames.read(in)) != null; ) {
                tasks.put(frame.payload());
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("paraflow worker: reading from the driver failed: " + e);
            Runtime.getRuntime().halt(2);
        }
        Runtime.getRuntime().halt(0);
    }

    /** The serializer the driver uses: its factory's class name, then the allow-list patterns. */
    private static Serializer serializer(String[] args) {
        try {
            SerializerFactory factory = (SerializerFactory) Class.forName(args[0]).getConstructor().newInstance();
            return factory.create(List.of(args).subList(1, args.length));
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("paraflow worker: cannot create serializer factory " + args[0] + ": " + e);
            Runtime.getRuntime().halt(2);
            throw new AssertionError(e);
        }
    }

    private static void runTasks(BlockingQueue<byte[]> tasks, Serializer serializer, Serializer failures,
                                 DataOutputStream frames) {
        while (true) {
            byte[] task;
            try {
                task = tasks.take();
            } catch (InterruptedException e) {
                continue;
            }
            byte kind;
            byte[] answer;
            try {
                Invocation invocation = (Invocation) serializer.fromBytes(task, 0, task.length);
                answer = serializer.toBytes(invocation.invoke());
                kind = Frames.RESULT;
            } catch (Throwable error) {
                answer = failures.toBytes(RemoteTaskException.capture(error));
                kind = Frames.FAILURE;
            }
            try {
                Frames.write(frames, kind, answer);
            } catch (IOException e) {
                Runtime.getRuntime().halt(0);
            }
            Thread.interrupted();
        }
    }

    /** Halts when the parent (the driver) is gone, should stdin not end with it. */
    private static void watchParent() {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        if (parent == null) {
            Runtime.getRuntime().halt(0);
        }
        Thread watch = new Thread(() -> {
            while (parent.isAlive()) {
                try {
                    Thread.sleep(PARENT_CHECK.toMillis());
                } catch (InterruptedException ignored) {
                    // only the halt ends this thread
                }
            }
            Runtime.getRuntime().halt(0);
        }, "paraflow-worker-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }
}

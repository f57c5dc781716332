package io.paraflow.cluster.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The plaintext layout of task batches, result batches, cancellations and load reports. Values inside
 * (invocations, results, failures) are already serialized by the run's {@link io.paraflow.serial.Serializer};
 * this layer only frames them, so a value that cannot be decoded fails its own task, not its batch.
 */
public final class Batches {
    /** Outcome: the task returned; the bytes are its result. */
    public static final byte RESULT = 1;
    /** Outcome: the task threw; the bytes are a Java-serialized {@link io.paraflow.RemoteTaskException}. */
    public static final byte FAILURE = 2;
    /** Outcome: the worker did not run the task (it is leaving); the driver places it again. */
    public static final byte HANDED_BACK = 3;
    /** Outcome: the task returned a large result, kept in the data grid ({@link ResultStore}); the bytes are its size. */
    public static final byte KEPT = 4;
    /**
     * Not an outcome but a notice before it: the task has just started on the worker (it left the worker's
     * queue for a thread), so its timeout counts from now; no bytes. Its outcome follows, maybe in the same batch.
     */
    public static final byte STARTED = 5;

    /** At most 3 bytes per char in modified UTF-8, so names this long always fit. */
    private static final int MAX_NAME_CHARS = 16_000;

    private Batches() {
    }

    /** One task of a batch: its key in the driver, the resources it holds, its name and serialized invocation. */
    public record Job(long key, int cores, long memory, String name, byte[] invocation) {
    }

    /**
     * Tasks from one driver, with how to deserialize them.
     *
     * @param driver     the driver member's UUID
     * @param serializer the class name of the driver's {@link io.paraflow.serial.SerializerFactory}
     * @param allowed    the driver's allow-list patterns
     */
    public record TaskBatch(String driver, String serializer, List<String> allowed, List<Job> jobs) {
    }

    /**
     * One outcome: the task's key, {@link #RESULT}, {@link #FAILURE}, {@link #HANDED_BACK}, {@link #KEPT} or
     * {@link #STARTED}, and its bytes.
     */
    public record Outcome(long key, byte kind, byte[] bytes) {
    }

    /** Outcomes from one worker (its member UUID). */
    public record ResultBatch(String worker, List<Outcome> outcomes) {
    }

    /**
     * Tasks of one driver to cancel: their keys, or all of them if {@code all}. Those not started yet leave the
     * worker's queue; those running are interrupted, unless {@code queuedOnly} (a cancellation that promised not
     * to interrupt): they run to their end then.
     */
    public record Cancel(String driver, boolean all, boolean queuedOnly, long[] keys) {
    }

    /**
     * A worker's resource figures (see {@link io.paraflow.exec.WorkerLoad}; -1 or NaN where unknown).
     *
     * @param worker          the worker member's UUID
     * @param cpuLoad         cores its process kept busy since its previous report
     * @param cpuTimeNanos    CPU time its process used so far
     * @param memoryUsedBytes heap in use
     * @param memoryMaxBytes  maximum heap
     */
    public record Load(String worker, double cpuLoad, long cpuTimeNanos, long memoryUsedBytes, long memoryMaxBytes) {
    }

    public static byte[] encode(Load load) {
        return write(out -> {
            out.writeUTF(load.worker());
            out.writeDouble(load.cpuLoad());
            out.writeLong(load.cpuTimeNanos());
            out.writeLong(load.memoryUsedBytes());
            out.writeLong(load.memoryMaxBytes());
        });
    }

    public static Load decodeLoad(byte[] bytes) {
        return read(bytes, in -> new Load(in.readUTF(), in.readDouble(), in.readLong(), in.readLong(), in.readLong()));
    }

    public static byte[] encode(TaskBatch batch) {
        return write(out -> {
            out.writeUTF(batch.driver());
            out.writeUTF(batch.serializer());
            out.writeInt(batch.allowed().size());
            for (String pattern : batch.allowed()) {
                out.writeUTF(pattern);
            }
            out.writeInt(batch.jobs().size());
            for (Job job : batch.jobs()) {
                out.writeLong(job.key());
                out.writeInt(job.cores());
                out.writeLong(job.memory());
                out.writeUTF(clip(job.name()));
                out.writeInt(job.invocation().length);
                out.write(job.invocation());
            }
        });
    }

    public static TaskBatch decodeTasks(byte[] bytes) {
        return read(bytes, in -> {
            String driver = in.readUTF();
            String serializer = in.readUTF();
            int patterns = count(in);
            List<String> allowed = new ArrayList<>(patterns);
            for (int i = 0; i < patterns; i++) {
                allowed.add(in.readUTF());
            }
            int n = count(in);
            List<Job> jobs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                jobs.add(new Job(in.readLong(), in.readInt(), in.readLong(), in.readUTF(), bytes(in)));
            }
            return new TaskBatch(driver, serializer, allowed, jobs);
        });
    }

    public static byte[] encode(ResultBatch batch) {
        return write(out -> {
            out.writeUTF(batch.worker());
            out.writeInt(batch.outcomes().size());
            for (Outcome outcome : batch.outcomes()) {
                out.writeLong(outcome.key());
                out.writeByte(outcome.kind());
                out.writeInt(outcome.bytes().length);
                out.write(outcome.bytes());
            }
        });
    }

    public static ResultBatch decodeResults(byte[] bytes) {
        return read(bytes, in -> {
            String worker = in.readUTF();
            int n = count(in);
            List<Outcome> outcomes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                outcomes.add(new Outcome(in.readLong(), in.readByte(), bytes(in)));
            }
            return new ResultBatch(worker, outcomes);
        });
    }

    public static byte[] encode(Cancel cancel) {
        return write(out -> {
            out.writeUTF(cancel.driver());
            out.writeBoolean(cancel.all());
            out.writeBoolean(cancel.queuedOnly());
            out.writeInt(cancel.keys().length);
            for (long key : cancel.keys()) {
                out.writeLong(key);
            }
        });
    }

    public static Cancel decodeCancel(byte[] bytes) {
        return read(bytes, in -> {
            String driver = in.readUTF();
            boolean all = in.readBoolean();
            boolean queuedOnly = in.readBoolean();
            long[] keys = new long[count(in)];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = in.readLong();
            }
            return new Cancel(driver, all, queuedOnly, keys);
        });
    }

    /**
     * A task name short enough for {@link DataOutputStream#writeUTF} (at most 65535 bytes): the worker uses it
     * in messages only.
     */
    private static String clip(String name) {
        return name.length() <= MAX_NAME_CHARS ? name : name.substring(0, MAX_NAME_CHARS) + "...";
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Decodes, or throws {@link IllegalArgumentException} if the bytes are not a well-formed batch. */
    private static <T> T read(byte[] bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            T value = reader.read(in);
            if (in.available() != 0) {
                throw new IllegalArgumentException("malformed cluster message: " + in.available() + " bytes left over");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed cluster message: " + e, e);
        }
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad count " + n);
        }
        return n;
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        byte[] bytes = new byte[count(in)];
        in.readFully(bytes);
        return bytes;
    }
}

package io.paraflow.cache.internal;

import io.paraflow.cache.FlushPolicy;
import io.paraflow.internal.Threads;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * An append-only file of finished tasks' results, keyed by fingerprint, in a directory of its own.
 *
 * <p>The file starts with an 8-byte magic; then records, each {@code [int bodyLength][int crc32c][body]}
 * with body {@code [32-byte key][byte kind][long finishedAtMillis][short+UTF-8 name][short+UTF-8 version]
 * [payload]}. Opening reads records up to the first one that is incomplete or fails its checksum (a
 * write torn by a crash), ignores the rest and cuts it off, so a torn record is never half-read and
 * later records never follow garbage. A later record for the same key supersedes an earlier one.
 *
 * <p>One run at a time: opening takes an exclusive lock on {@code DIR/lock} and fails with a clear
 * message while another run (in this or another JVM) holds it.
 *
 * <p>Thread-safe: {@link #append} and {@link #lookup} may be called from any thread. Appends are
 * written in their order; when they reach the file depends on the {@link FlushPolicy}.
 */
public final class CheckpointStore implements Closeable {

    /** The log file's name inside the store directory. */
    public static final String LOG = "checkpoints.log";
    private static final String LOCK = "lock";
    private static final byte[] MAGIC = "PFCKPT01".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 8;
    private static final int MAX_TEXT = 0xFFFF;

    /** What a record holds. */
    public enum Kind {
        /** The payload is the task's serialized result. */
        VALUE,
        /** The payload is the task's serialized failure. */
        FAILURE,
        /** The payload is the task's serialized result together with the files it refers to and their digests. */
        VALUE_WITH_FILES
    }

    /**
     * One record of the store.
     *
     * @param key        the task's fingerprint
     * @param kind       value or failure
     * @param finishedAt when the task finished, in milliseconds since the epoch
     * @param name       the task's name
     * @param version    the task's version label ("" when none)
     * @param offset     where the payload starts in the log
     * @param length     the payload's length in bytes
     */
    public record Entry(Fingerprint key, Kind kind, long finishedAt, String name, String version, long offset,
                        int length) {
    }

    private final Path directory;
    private final Path log;
    private final FlushPolicy policy;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileChannel channel;
    private final Map<Fingerprint, Entry> index = new HashMap<>();
    private final int truncatedBytes;

    private final ReentrantLock pendingLock = new ReentrantLock();
    private final Condition flushDue = pendingLock.newCondition();
    private ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
    private long written;
    private boolean closed;
    private IOException periodicFailure;
    private final Object writeLock = new Object();
    private final Thread flusher;

    private CheckpointStore(Path directory, FlushPolicy policy, boolean resume) throws IOException {
        this.directory = directory;
        this.log = directory.resolve(LOG);
        this.policy = policy;
        Files.createDirectories(directory);
        lockChannel = FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock taken;
        try {
            taken = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            taken = null;
        }
        if (taken == null) {
            lockChannel.close();
            throw new IOException("checkpoint store " + directory + " is in use by another run; wait for it to end"
                    + " or give this run another checkpoint directory");
        }
        lock = taken;
        FileChannel opened = null;
        try {
            opened = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long size = opened.size();
            long validEnd;
            if (size < HEADER && isMagicPrefix(opened, (int) size)) {
                opened.truncate(0);
                opened.write(ByteBuffer.wrap(MAGIC), 0);
                opened.force(true);
                validEnd = HEADER;
            } else {
                validEnd = load(opened, log, index);
            }
            truncatedBytes = (int) Math.min(Integer.MAX_VALUE, Math.max(0, opened.size() - validEnd));
            opened.truncate(validEnd);
            opened.position(validEnd);
            written = validEnd;
            channel = opened;
            if (!resume) {
                index.clear();
            }
        } catch (IOException | RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            lock.release();
            lockChannel.close();
            throw e;
        }
        if (policy.kind() == FlushPolicy.Kind.PERIODIC) {
            flusher = new Thread(this::flushPeriodically, "paraflow-checkpoint-flush");
            flusher.setDaemon(true);
            flusher.start();
        } else {
            flusher = null;
        }
    }

    /**
     * Opens (creating if needed) the store in {@code directory}. With {@code resume}, lookups find what
     * earlier runs recorded; without, they find only what this run records (earlier records stay in the
     * file until a later record for the same key supersedes them, or the store is cleaned).
     *
     * @throws IOException if the directory cannot be used, is not a store, or another run holds it
     */
    public static CheckpointStore open(Path directory, FlushPolicy policy, boolean resume) throws IOException {
        return new CheckpointStore(directory, policy, resume);
    }

    /**
     * Reads the records of the store in {@code directory} without locking it, for tools that list a
     * store. Records of a run still going on may be missing.
     *
     * @throws NoSuchFileException if there is no store there
     */
    public static List<Entry> read(Path directory) throws IOException {
        Path log = directory.resolve(LOG);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
            if (channel.size() < HEADER && isMagicPrefix(channel, (int) channel.size())) {
                return List.of();
            }
            Map<Fingerprint, Entry> entries = new HashMap<>();
            load(channel, log, entries);
            List<Entry> list = new ArrayList<>(entries.values());
            list.sort((a, b) -> Long.compare(a.offset(), b.offset()));
            return list;
        }
    }

    /** The store's directory. */
    public Path directory() {
        return directory;
    }

    /** Bytes of a torn or corrupt tail that opening cut off; 0 when the file was whole. */
    public int truncatedBytes() {
        return truncatedBytes;
    }

    /** The number of distinct keys the store holds. */
    public int size() {
        pendingLock.lock();
        try {
            return index.size();
        } finally {
            pendingLock.unlock();
        }
    }

    /** The latest record for {@code key}, or {@code null}. */
    public Entry lookup(Fingerprint key) {
        pendingLock.lock();
        try {
            return index.get(key);
        } finally {
            pendingLock.unlock();
        }
    }

    /** The payload of {@code entry}, which this store returned; writes pending records first if needed. */
    public byte[] payload(Entry entry) throws IOException {
        if (entry.offset() + entry.length() > written()) {
            flush();
        }
        ByteBuffer buffer = ByteBuffer.allocate(entry.length());
        long position = entry.offset();
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                throw new IOException("checkpoint log " + log + " ended inside a record it indexed; was it"
                        + " changed by another program?");
            }
        }
        return buffer.array();
    }

    /**
     * Records a finished task. With {@link FlushPolicy#everyTask()} the record is on disk when this
     * returns; otherwise it is on its way.
     *
     * @throws IllegalArgumentException if name or version is longer than 65,535 bytes in UTF-8
     * @throws IllegalStateException    if the store is closed
     */
    public void append(Fingerprint key, Kind kind, String name, String version, byte[] payload) throws IOException {
        byte[] nameBytes = text(name, "name");
        byte[] versionBytes = text(version, "version");
        int bodyLength = Fingerprint.BYTES + 1 + Long.BYTES + 2 + nameBytes.length + 2 + versionBytes.length
                + payload.length;
        ByteBuffer body = ByteBuffer.allocate(bodyLength);
        body.put(key.bytes()).put((byte) kind.ordinal()).putLong(System.currentTimeMillis());
        body.putShort((short) nameBytes.length).put(nameBytes).putShort((short) versionBytes.length).put(versionBytes);
        int payloadStart = body.position();
        body.put(payload);
        CRC32C crc = new CRC32C();
        crc.update(body.array());
        pendingLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("checkpoint store " + directory + " is closed");
            }
            if (periodicFailure != null) {
                throw new IOException("checkpoint store " + directory + ": an earlier write failed", periodicFailure);
            }
            ensurePending(8 + bodyLength);
            long recordStart = written + pending.position();
            pending.putInt(bodyLength).putInt((int) crc.getValue()).put(body.array());
            index.put(key, new Entry(key, kind, body.getLong(Fingerprint.BYTES + 1), name, version,
                    recordStart + 8 + payloadStart, payload.length));
        } finally {
            pendingLock.unlock();
        }
        if (policy.kind() == FlushPolicy.Kind.EVERY_TASK) {
            flush();
        }
    }

    /** Writes every pending record and forces the file to the disk. */
    public void flush() throws IOException {
        synchronized (writeLock) {
            ByteBuffer toWrite;
            pendingLock.lock();
            try {
                if (pending.position() == 0) {
                    return;
                }
                toWrite = pending.flip();
                pending = ByteBuffer.allocate(Math.max(64 * 1024, toWrite.capacity() / 2));
            } finally {
                pendingLock.unlock();
            }
            long at = channel.position();
            while (toWrite.hasRemaining()) {
                channel.write(toWrite);
            }
            channel.force(false);
            pendingLock.lock();
            try {
                written = at + toWrite.limit();
            } finally {
                pendingLock.unlock();
            }
        }
    }

    /** Writes what is pending, stops the periodic writer and releases the store. Idempotent. */
    @Override
    public void close() throws IOException {
        pendingLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            flushDue.signalAll();
        } finally {
            pendingLock.unlock();
        }
        Threads.joinUninterruptibly(flusher);
        try {
            flush();
        } finally {
            channel.close();
            lock.release();
            lockChannel.close();
        }
    }

    /**
     * Deletes the store in {@code directory}.
     *
     * @throws IOException if another run holds it, or the files cannot be deleted
     */
    public static void clean(Path directory) throws IOException {
        if (!Files.exists(directory.resolve(LOG))) {
            throw new NoSuchFileException(directory.toString(), null, "no checkpoint store here");
        }
        CheckpointStore store = open(directory, FlushPolicy.atClose(), false);
        store.channel.truncate(0);
        store.close();
        Files.delete(directory.resolve(LOG));
        Files.deleteIfExists(directory.resolve(LOCK));
    }

    private long written() {
        pendingLock.lock();
        try {
            return written;
        } finally {
            pendingLock.unlock();
        }
    }

    private void ensurePending(int bytes) {
        if (pending.remaining() < bytes) {
            ByteBuffer larger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + bytes));
            pending.flip();
            larger.put(pending);
            pending = larger;
        }
    }

    private void flushPeriodically() {
        long intervalNanos = policy.interval().toNanos();
        while (true) {
            pendingLock.lock();
            try {
                if (closed) {
                    return;
                }
                flushDue.awaitNanos(intervalNanos);
                if (closed) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                pendingLock.unlock();
            }
            try {
                flush();
            } catch (IOException e) {
                pendingLock.lock();
                try {
                    periodicFailure = e;
                } finally {
                    pendingLock.unlock();
                }
                return;
            }
        }
    }

    private static byte[] text(String text, String what) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_TEXT) {
            throw new IllegalArgumentException("task " + what + " is too long for a checkpoint (" + bytes.length
                    + " bytes in UTF-8, at most " + MAX_TEXT + ")");
        }
        return bytes;
    }

    /** Reads records into {@code into}; returns where the valid part of the file ends. */
    private static long load(FileChannel channel, Path log, Map<Fingerprint, Entry> into) throws IOException {
        long size = channel.size();
        ByteBuffer magic = ByteBuffer.allocate(HEADER);
        channel.read(magic, 0);
        if (!Arrays.equals(magic.array(), MAGIC)) {
            throw new IOException(log + " is not a Paraflow checkpoint log (wrong magic); give the run another"
                    + " checkpoint directory or delete the file");
        }
        long position = HEADER;
        ByteBuffer head = ByteBuffer.allocate(8);
        int minBody = Fingerprint.BYTES + 1 + Long.BYTES + 4;
        while (position + 8 <= size) {
            head.clear();
            readFully(channel, head, position);
            int bodyLength = head.getInt(0);
            int expectedCrc = head.getInt(4);
            if (bodyLength < minBody || position + 8 + bodyLength > size) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(bodyLength);
            readFully(channel, body, position + 8);
            CRC32C crc = new CRC32C();
            crc.update(body.array());
            if ((int) crc.getValue() != expectedCrc) {
                break;
            }
            Entry entry = parse(body, position + 8);
            if (entry == null) {
                break;
            }
            into.put(entry.key(), entry);
            position += 8 + bodyLength;
        }
        return position;
    }

    private static Entry parse(ByteBuffer body, long bodyOffset) {
        body.rewind();
        Fingerprint key = Fingerprint.read(body.array(), 0);
        body.position(Fingerprint.BYTES);
        int kind = body.get();
        long finishedAt = body.getLong();
        if (kind < 0 || kind >= Kind.values().length) {
            return null;
        }
        String name = readText(body);
        String version = name == null ? null : readText(body);
        if (version == null) {
            return null;
        }
        return new Entry(key, Kind.values()[kind], finishedAt, name, version, bodyOffset + body.position(),
                body.remaining());
    }

    private static String readText(ByteBuffer body) {
        if (body.remaining() < 2) {
            return null;
        }
        int length = Short.toUnsignedInt(body.getShort());
        if (body.remaining() < length) {
            return null;
        }
        String text = new String(body.array(), body.position(), length, StandardCharsets.UTF_8);
        body.position(body.position() + length);
        return text;
    }

    /** Whether the file holds nothing but the start of a header: a new log, or one torn while created. */
    private static boolean isMagicPrefix(FileChannel channel, int size) throws IOException {
        ByteBuffer start = ByteBuffer.allocate(size);
        readFully(channel, start, 0);
        return Arrays.equals(start.array(), Arrays.copyOf(MAGIC, size));
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }
}

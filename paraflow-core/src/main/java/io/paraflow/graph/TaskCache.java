package io.paraflow.graph;

import io.paraflow.ResultUnavailableException;
import io.paraflow.TaskFailedException;
import io.paraflow.cache.internal.CheckpointStore;
import io.paraflow.cache.internal.FileManifest;
import io.paraflow.cache.internal.Fingerprint;
import io.paraflow.cache.internal.Fingerprints;
import io.paraflow.cache.internal.NotFingerprintableException;
import io.paraflow.exec.RemoteValue;
import io.paraflow.serial.SerializationException;
import io.paraflow.serial.Serializer;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memo of a flow: decides whether a memoized task can reuse an earlier result, and records the
 * results of those that ran. Results live in the flow's {@link CheckpointStore} when it has one (so a
 * later run can resume from them), otherwise in memory for the flow's life.
 *
 * <p>Results are stored with Java serialization behind an allow-list ({@link
 * io.paraflow.serial.JavaSerializer#DEFAULT_ALLOWED} plus the flow's {@code allowInCheckpoints}
 * patterns): a store is a file that other programs could have written, so reading it back never loads a
 * class outside the list.
 *
 * <p>A task's key is the fingerprint of its name, version label, and for each argument either the key
 * of the memoized task it came from or the fingerprint of its value. Trouble with the cache never fails
 * a task: an argument that cannot be fingerprinted, a result that cannot be serialized, or a store that
 * cannot be read or written makes the task run (or its result go unrecorded), with one warning per task
 * name and kind of trouble.
 *
 * <p>Thread-safe; called on the threads that make tasks ready and that end them.
 */
final class TaskCache {

    /** The worker that events of a reused task name. */
    static final String WORKER = "cache";
    private static final String KEY_TAG = "paraflow-task-v1";
    private static final System.Logger LOG = System.getLogger(TaskCache.class.getName());
    private static final FileManifest NO_FILES = new FileManifest(Map.of());
    private static final String HOW_TO_ALLOW = " (results of your own classes need"
            + " Flow.builder().allowInCheckpoints(\"com.example.**\"))";

    private final Fingerprints fingerprints;
    private final CheckpointStore store;
    private final Serializer serializer;
    private final Map<Fingerprint, Outcome> memory;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * A recorded outcome: a value with the files it refers to, or the exception the task's function
     * threw (and an empty manifest).
     */
    private record Outcome(Object value, Throwable thrown, FileManifest files) {
    }

    /** What the store holds for a value: it and its files. */
    private record StoredValue(Object value, FileManifest files) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    TaskCache(Fingerprints fingerprints, CheckpointStore store, Serializer serializer) {
        this.fingerprints = fingerprints;
        this.store = store;
        this.serializer = serializer;
        this.memory = store == null ? new ConcurrentHashMap<>() : null;
    }

    /**
     * Ends {@code task}, which is READY for its first attempt, with a recorded outcome if there is one.
     *
     * @return whether the task was ended (by this call, or by a cancellation that raced it)
     */
    boolean reuse(CachedTaskNode<?> task) {
        Fingerprint key = keyOf(task);
        task.key = key;
        if (key == null) {
            return false;
        }
        Outcome outcome = lookup(task, key);
        if (outcome == null || outcome.thrown != null && !task.cacheRequest().failures()) {
            return false;
        }
        if (!outcome.files.stillMatches()) {
            LOG.log(System.Logger.Level.INFO, "task '" + task.name() + "' (#" + task.id() + ") runs again: files of"
                    + " its recorded result changed or are gone");
            return false;
        }
        Throwable failure = outcome.thrown == null ? null
                : new TaskFailedException(task.id(), task.name(), task.executor().label(), WORKER, 1, outcome.thrown);
        task.endFromCache(outcome.value, failure);
        return true;
    }

    /**
     * Records how {@code task} ended, if it ran and its outcome is one to keep. A result kept elsewhere is
     * kept as its handle in memory (nothing is fetched); with a store, it is recorded by {@link #recordFetched}
     * instead, off the thread that ends the task.
     */
    void ended(CachedTaskNode<?> task, Object value, Throwable failure) {
        Fingerprint key = task.key;
        if (key == null) {
            return;
        }
        if (failure == null && value instanceof RemoteValue) {
            if (store == null) {
                memory.put(key, new Outcome(value, null, NO_FILES));
            }
            return;
        }
        record(task, key, value, failure);
    }

    /** Whether {@code task}, which ended with a result kept elsewhere, needs it fetched to be recorded. */
    boolean recordsFetched(CachedTaskNode<?> task) {
        return store != null && task.key != null;
    }

    /** Fetches the result kept elsewhere of {@code task} (blocking) and records it; never throws. */
    void recordFetched(CachedTaskNode<?> task, RemoteValue remote) {
        if (!recordsFetched(task)) {
            return;
        }
        Object value;
        try {
            value = remote.fetch();
        } catch (ResultUnavailableException e) {
            warnOnce(task, "fetch", "the result of task '" + task.name() + "' is not memoized: " + e.getMessage());
            return;
        }
        record(task, task.key, value, null);
    }

    private void record(CachedTaskNode<?> task, Fingerprint key, Object value, Throwable failure) {
        Outcome outcome;
        if (failure == null) {
            try {
                outcome = new Outcome(value, null, FileManifest.of(value));
            } catch (IOException | RuntimeException e) {
                warnOnce(task, "files", "the result of task '" + task.name() + "' is not memoized: a file it refers"
                        + " to cannot be read (" + e + ")");
                return;
            }
        } else if (task.cacheRequest().failures() && failure instanceof TaskFailedException failed
                && failed.getCause() != null) {
            outcome = new Outcome(null, failed.getCause(), NO_FILES);
        } else {
            return;
        }
        if (store == null) {
            memory.put(key, outcome);
            return;
        }
        byte[] payload;
        try {
            payload = serializer.toBytes(outcome.thrown != null ? outcome.thrown
                    : outcome.files.files().isEmpty() ? outcome.value : new StoredValue(outcome.value, outcome.files));
        } catch (SerializationException e) {
            warnOnce(task, "unserializable", "the result of task '" + task.name() + "' is not kept in the checkpoint"
                    + " store, so the task will run again on resume: " + e.getMessage());
            return;
        }
        String unreadable = outcome.value == null ? null : serializer.refuses(outcome.value.getClass());
        if (unreadable != null) {
            warnOnce(task, "unreadable", "the result of task '" + task.name() + "' is kept in the checkpoint store,"
                    + " but a resumed run will not read it back: " + unreadable + HOW_TO_ALLOW);
        }
        try {
            CheckpointStore.Kind kind = outcome.thrown != null ? CheckpointStore.Kind.FAILURE
                    : outcome.files.files().isEmpty() ? CheckpointStore.Kind.VALUE : CheckpointStore.Kind.VALUE_WITH_FILES;
            store.append(key, kind, task.name(), task.cacheRequest().version(), payload);
        } catch (IOException | RuntimeException e) {
            warnOnce(task, "write", "checkpoint store " + store.directory() + " could not record task '"
                    + task.name() + "': " + e);
        }
    }

    private Outcome lookup(CachedTaskNode<?> task, Fingerprint key) {
        if (store == null) {
            return memory.get(key);
        }
        CheckpointStore.Entry entry = store.lookup(key);
        if (entry == null) {
            return null;
        }
        try {
            byte[] payload = store.payload(entry);
            Object decoded = serializer.fromBytes(payload, 0, payload.length);
            switch (entry.kind()) {
                case VALUE:
                    return new Outcome(decoded, null, NO_FILES);
                case VALUE_WITH_FILES:
                    StoredValue stored = (StoredValue) decoded;
                    return new Outcome(stored.value(), null, stored.files());
                default:
                    return new Outcome(null, (Throwable) decoded, NO_FILES);
            }
        } catch (SerializationException e) {
            warnOnce(task, "read", "the checkpoint of task '" + task.name() + "' in " + store.directory()
                    + " cannot be read back, so the task runs again: " + e.getMessage() + HOW_TO_ALLOW);
            return null;
        } catch (IOException | RuntimeException e) {
            warnOnce(task, "read", "the checkpoint of task '" + task.name() + "' in " + store.directory()
                    + " cannot be read (" + e + "); the task runs again");
            return null;
        }
    }

    private Fingerprint keyOf(CachedTaskNode<?> task) {
        Object[] arguments = task.argumentsForKey();
        if (arguments == null) {
            return null;
        }
        List<Object> parts = new ArrayList<>(arguments.length + 3);
        parts.add(task.name());
        parts.add(task.cacheRequest().version());
        parts.add(arguments.length);
        Object identity = task.cacheRequest().identity();
        if (identity != null) {
            try {
                parts.add(fingerprints.of(identity));
            } catch (RuntimeException e) {
                warnOnce(task, "fingerprint", "task '" + task.name() + "' is not memoized: its identity cannot be"
                        + " fingerprinted: " + e.getMessage());
                return null;
            }
        }
        for (int i = 0; i < arguments.length; i++) {
            Object argument = arguments[i];
            if (argument instanceof CachedTaskNode<?> upstream && upstream.key != null) {
                parts.add(upstream.key);
                continue;
            }
            Object value = argument instanceof TaskNode<?> node ? node.valueForKey() : argument;
            if (value instanceof RemoteValue kept) {
                warnOnce(task, "fingerprint", "task '" + task.name() + "' is not memoized: argument " + (i + 1)
                        + " is the result of task '" + ((TaskNode<?>) argument).name() + "', kept on worker " + kept.location()
                        + ", which is not memoized (memoize it too, so that its key stands for its result;"
                        + " a kept result is not fetched to fingerprint it)");
                return null;
            }
            try {
                parts.add(fingerprints.of(value));
            } catch (NotFingerprintableException e) {
                warnOnce(task, "fingerprint", "task '" + task.name() + "' is not memoized: argument " + (i + 1)
                        + ": " + e.getMessage());
                return null;
            } catch (RuntimeException e) {
                warnOnce(task, "fingerprint", "task '" + task.name() + "' is not memoized: fingerprinting argument "
                        + (i + 1) + " failed: " + e);
                return null;
            }
        }
        return Fingerprints.combine(KEY_TAG, parts);
    }

    private void warnOnce(CachedTaskNode<?> task, String kind, String message) {
        if (warned.add(kind + '\0' + task.name())) {
            LOG.log(System.Logger.Level.WARNING, message);
        }
    }

    /** Writes what the store holds in memory and releases it. */
    void close() throws IOException {
        if (store != null) {
            store.close();
        }
    }
}

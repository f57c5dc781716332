package io.paraflow.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import io.paraflow.RemoteTaskException;
import io.paraflow.ResultUnavailableException;
import io.paraflow.cluster.security.ClusterCipher;
import io.paraflow.cluster.security.RejectedMessageException;
import io.paraflow.serial.Serializer;

import java.lang.ref.Cleaner;
import java.lang.ref.SoftReference;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data grid of task results: a result whose serialized form is at least the driver's threshold does not
 * travel with its completion but stays in the cluster, in one Hazelcast map per driver
 * ({@value #MAP_PREFIX}{@code <driver uuid>}, one synchronous backup: it survives the loss of one member;
 * a store whose backup is not confirmed in time fails, and the value goes with its completion instead),
 * and the completion carries only its size ({@link Batches#KEPT}). The worker that computed it also keeps
 * the value itself in its memory (softly, least recently used first out, within a budget of serialized
 * bytes) for the next tasks placed on it; other members read the map.
 *
 * <p>Values in the map are sealed with the cluster's {@link ClusterCipher} for a purpose that names the
 * driver and the key, so a member without the secret that reads the map learns nothing of their contents
 * (it sees their keys and sizes), and a value planted by it, or moved from another key, fails to open and
 * never reaches Paraflow's deserializer (Hazelcast itself decodes the stored entry before it is checked).
 *
 * <p>Thread-safe.
 */
public final class ResultStore {
    /** Driver member attribute: the size in bytes from which its results are kept in the grid. */
    public static final String THRESHOLD = "paraflow.gridThreshold";
    /** The prefix of the maps, one per driver; configured in {@link Hazelcasts#config}. */
    public static final String MAP_PREFIX = "paraflow-results-";
    private static final System.Logger LOG = System.getLogger(ResultStore.class.getName());
    /** Deletes grid entries whose driver-side handle became unreachable; one daemon thread for the JVM. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final HazelcastInstance hazelcast;
    private final ClusterCipher cipher;
    private final String member;
    private final long localBudget;
    private final Map<String, Long> thresholds = new ConcurrentHashMap<>();
    /**
     * Drivers whose run ended here ({@link #forget}): their maps must not be made again. A few dozen bytes per
     * run for the life of the member.
     */
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    private final AtomicLong reads = new AtomicLong();
    /** Values computed or read here, most recently used last. Guarded by itself. */
    private final LinkedHashMap<Local, Kept> local = new LinkedHashMap<>(16, 0.75f, true);
    /** The sum of the sizes in {@link #local}. Guarded by {@link #local}. */
    private long localBytes;

    private record Local(String driver, long key) {
    }

    /** A value kept here: softly, so that the collector may drop it (it is read from the grid again) before the heap fills. */
    private record Kept(SoftReference<Object> value, long size) {
    }

    /**
     * A store of the member {@code member} (its name, for messages) that keeps at most {@code localBudget}
     * bytes (serialized sizes) of values in its own memory; 0 for a driver, which reads only.
     */
    public ResultStore(HazelcastInstance hazelcast, ClusterCipher cipher, String member, long localBudget) {
        this.hazelcast = hazelcast;
        this.cipher = cipher;
        this.member = member;
        this.localBudget = localBudget;
    }

    /** The map of {@code driver}'s results. */
    public static String mapName(String driver) {
        return MAP_PREFIX + driver;
    }

    /** What a value is sealed for: its driver and key, so that it opens there only. */
    public static String purpose(String driver, long key) {
        return "grid-value " + driver + " " + key;
    }

    // ---------------------------------------------------------------- worker: keeping

    /**
     * The outcome of a task that returned {@code result}, serialized as {@code bytes}: the bytes themselves
     * if they are smaller than the driver's threshold, else a {@link Batches#KEPT} outcome, the bytes sealed
     * into the driver's map and the value kept in this member's memory.
     */
    public Batches.Outcome outcome(String driver, long key, Object result, byte[] bytes) {
        if (gone.contains(driver) || bytes.length < thresholds.computeIfAbsent(driver, this::thresholdOf)) {
            return new Batches.Outcome(key, Batches.RESULT, bytes);
        }
        IMap<Long, byte[]> map = map(driver);
        try {
            map.set(key, cipher.seal(purpose(driver, key), bytes));
        } catch (IndeterminateOperationStateException backupNotConfirmed) {
            // the primary copy may be there, its backup is not known to be: the value travels with its completion
            map.deleteAsync(key);
            LOG.log(System.Logger.Level.WARNING, member + " could not confirm the backup of a " + bytes.length
                    + "-byte result in the data grid in time (a member may have been lost or be overloaded); it is"
                    + " sent to its driver instead");
            return new Batches.Outcome(key, Batches.RESULT, bytes);
        }
        if (gone.contains(driver)) {
            // the driver went while the value was stored: the set may have made its destroyed map again
            map.destroy();
            return new Batches.Outcome(key, Batches.RESULT, bytes);
        }
        keepLocally(new Local(driver, key), result, bytes.length);
        return new Batches.Outcome(key, Batches.KEPT, ByteBuffer.allocate(Long.BYTES).putLong(bytes.length).array());
    }

    /** The size of a value kept in the grid, from its {@link Batches#KEPT} outcome. */
    public static long keptSize(Batches.Outcome outcome) {
        if (outcome.bytes().length != Long.BYTES) {
            throw new IllegalArgumentException("malformed kept-result outcome: " + outcome.bytes().length + " bytes");
        }
        return ByteBuffer.wrap(outcome.bytes()).getLong();
    }

    /** The driver's threshold, from its member attribute; without one (or gone), nothing is kept. */
    private long thresholdOf(String driver) {
        for (Member candidate : hazelcast.getCluster().getMembers()) {
            if (candidate.getUuid().toString().equals(driver)) {
                String threshold = candidate.getAttribute(THRESHOLD);
                return threshold == null ? Long.MAX_VALUE : Long.parseLong(threshold);
            }
        }
        return Long.MAX_VALUE;
    }

    private void keepLocally(Local where, Object value, long size) {
        if (size > localBudget) {
            return;
        }
        synchronized (local) {
            if (gone.contains(where.driver())) {
                return;
            }
            Kept previous = local.put(where, new Kept(new SoftReference<>(value), size));
            localBytes += size - (previous == null ? 0 : previous.size());
            Iterator<Kept> oldest = local.values().iterator();
            while (localBytes > localBudget && oldest.hasNext()) {
                localBytes -= oldest.next().size();
                oldest.remove();
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * The arguments with every {@link GridRef} replaced by its value: this member's own copy if it has one,
     * else read from the grid, opened and deserialized with {@code serializer} (and kept here for the next
     * tasks).
     *
     * @throws ResultUnavailableException naming the task that computed it and its worker, with a cause naming
     *     the argument, this member and why it cannot be read
     */
    public Object[] resolve(Object[] arguments, Serializer serializer) {
        for (int i = 0; i < arguments.length; i++) {
            if (arguments[i] instanceof GridRef ref) {
                Local where = new Local(ref.driver(), ref.key());
                Object value;
                synchronized (local) {
                    Kept kept = local.get(where);
                    value = kept == null ? null : kept.value().get();
                }
                if (value != null) {
                    arguments[i] = value;
                    continue;
                }
                try {
                    arguments[i] = read(ref, serializer);
                } catch (RuntimeException e) {
                    // the cause is captured so that the exception travels back to the driver whatever caused it
                    throw new ResultUnavailableException(ref.taskId(), ref.task(), ref.worker(), RemoteTaskException.capture(
                            new IllegalStateException("argument " + (i + 1) + " cannot be read on worker " + member
                                    + ": " + e.getMessage(), e)));
                }
                keepLocally(where, arguments[i], ref.size());
            }
        }
        return arguments;
    }

    /**
     * Reads, opens and deserializes a value from the grid (blocking).
     *
     * @throws IllegalStateException if it is not there (lost with the members that held it and its backup,
     *     or its driver's run ended), fails to open (planted or moved by a member without the secret), or
     *     cannot be deserialized; the message names the task that computed it and its worker
     */
    public Object read(GridRef ref, Serializer serializer) {
        reads.incrementAndGet();
        String what = "the result of task '" + ref.task() + "' (computed on worker " + ref.worker() + ", "
                + ref.size() + " bytes, kept in the data grid)";
        if (gone.contains(ref.driver())) {
            throw new IllegalStateException(what + " is not in the cluster any more: the run of its driver ended (its"
                    + " cluster executor was closed); read a result (get, join) before closing its flow");
        }
        byte[] sealed = map(ref.driver()).get(ref.key());
        if (sealed == null) {
            throw new IllegalStateException(what + " is not in the cluster any more: lost with the members that held"
                    + " it and its backup, or its executor was closed");
        }
        byte[] bytes;
        try {
            bytes = cipher.open(purpose(ref.driver(), ref.key()), sealed);
        } catch (RejectedMessageException e) {
            LOG.log(System.Logger.Level.WARNING, member + " dropped a grid value that failed authentication (key "
                    + ref.key() + "): " + e.getMessage());
            throw new IllegalStateException(what + " failed authentication: it was not stored for this key by a"
                    + " member holding the cluster secret (planted, moved or changed): " + e.getMessage(), e);
        }
        try {
            return serializer.fromBytes(bytes, 0, bytes.length);
        } catch (RuntimeException e) {
            throw new IllegalStateException(what + " cannot be deserialized here: " + e.getMessage(), e);
        }
    }

    /** How many values were read from the grid by this member (for tests). */
    public long reads() {
        return reads.get();
    }

    /** The number of values of {@code driver} in the grid (for tests). */
    public int size(String driver) {
        return map(driver).size();
    }

    /** The keys of {@code driver}'s values in the grid (for tests). */
    public Set<Long> keys(String driver) {
        return new HashSet<>(map(driver).keySet());
    }

    /** Whether the map of {@code driver}'s values exists in the cluster (for tests; does not make it). */
    public boolean hasMap(String driver) {
        return existingMap(driver) != null;
    }

    /** The addresses of the members holding the primary copies of {@code driver}'s values (for tests). */
    public Set<String> owners(String driver) {
        Set<String> owners = new HashSet<>();
        for (Long key : map(driver).keySet()) {
            owners.add(Hazelcasts.address(hazelcast.getPartitionService().getPartition(key).getOwner()));
        }
        return owners;
    }

    // ---------------------------------------------------------------- forgetting

    /**
     * Deletes the grid entry of {@code ref} once {@code handle} (the driver's handle to it) is unreachable:
     * nothing in the driver can ask for the value any more.
     */
    public void deleteWhenUnreachable(Object handle, GridRef ref) {
        IMap<Long, byte[]> map = map(ref.driver());
        long key = ref.key();
        String driver = ref.driver();
        CLEANER.register(handle, () -> {
            if (gone.contains(driver)) {
                return;
            }
            try {
                map.deleteAsync(key);
            } catch (RuntimeException closed) {
                // the member is shutting down: the map goes with its run
            }
        });
    }

    /**
     * Forgets {@code driver}'s values: drops this member's copies and destroys its map (its run ended, or
     * it was lost: nobody will ask for them).
     */
    public void forget(String driver) {
        gone.add(driver);
        synchronized (local) {
            Iterator<Map.Entry<Local, Kept>> entries = local.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<Local, Kept> entry = entries.next();
                if (entry.getKey().driver().equals(driver)) {
                    localBytes -= entry.getValue().size();
                    entries.remove();
                }
            }
        }
        thresholds.remove(driver);
        try {
            // every worker sees the driver go: look the map up rather than getMap, which would create it again
            DistributedObject map = existingMap(driver);
            if (map != null) {
                map.destroy();
            }
        } catch (RuntimeException closing) {
            // this member is shutting down: the map goes with the cluster
        }
    }

    private DistributedObject existingMap(String driver) {
        for (DistributedObject object : hazelcast.getDistributedObjects()) {
            if (object.getName().equals(mapName(driver))) {
                return object;
            }
        }
        return null;
    }

    private IMap<Long, byte[]> map(String driver) {
        return hazelcast.getMap(mapName(driver));
    }
}

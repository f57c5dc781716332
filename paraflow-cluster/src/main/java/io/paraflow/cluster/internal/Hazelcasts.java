package io.paraflow.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.cluster.security.HazelcastHardening;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;

/**
 * How every Paraflow member (driver or worker) starts its embedded Hazelcast: {@link HazelcastHardening}'s
 * settings (cluster name from the secret, TCP-IP join with the listed members only, one interface, Java
 * deserialization restricted), quiet, with a configurable failure detection time, and {@link Envelope}s
 * (read by Hazelcast without Java serialization) as the only messages.
 */
public final class Hazelcasts {
    /** Member attribute: "driver" or "worker". */
    public static final String ROLE = "paraflow.role";
    /** Member attribute of workers: core slots offered. */
    public static final String CORES = "paraflow.cores";
    /** Member attribute of workers: memory offered, in bytes. */
    public static final String MEMORY = "paraflow.memory";
    /** Member attribute of workers: comma-separated labels. */
    public static final String LABELS = "paraflow.labels";
    /** Member attribute: the member's name in messages. */
    public static final String NAME = "paraflow.name";
    /** The executor service that delivers {@link Envelope}s. */
    public static final String MESSAGES = "paraflow-messages";
    /** The default Hazelcast port, as Hazelcast's own. */
    public static final int DEFAULT_PORT = 5701;

    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private Hazelcasts() {
    }

    /**
     * Everything one member needs to know to join.
     *
     * @param secret      the cluster secret: it names the cluster and seals every message
     * @param join        addresses {@code host[:port]} of members to join; empty for the first member
     * @param bind        the interface address to bind and announce
     * @param port        the port to listen on; with {@code autoIncrement}, the first one tried
     * @param detection   how long a member may be silent before it is declared dead
     * @param liteMember  whether the member holds no data (the driver)
     * @param attributes  the member attributes (role, capacity, name)
     */
    public record Settings(ClusterSecret secret, List<String> join, String bind, int port, boolean autoIncrement,
                           Duration detection, boolean liteMember, Map<String, String> attributes) {
    }

    /**
     * Starts a member with {@code settings}, delivering envelopes to {@code inbox}. Blocks until it has
     * joined the cluster (or formed one if no listed member answers).
     */
    public static HazelcastInstance start(Settings settings, Inbox inbox) {
        tameCommonPool();
        // Hazelcast logs its start-up warnings before it reads the config: quiet unless the user chose a logger
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "none");
        }
        return Hazelcast.newHazelcastInstance(config(settings, inbox));
    }

    /** The Hazelcast configuration of a member with {@code settings}, delivering envelopes to {@code inbox}. */
    public static Config config(Settings settings, Inbox inbox) {
        Config config = new Config();
        HazelcastHardening.apply(config, settings.secret(), settings.join().isEmpty()
                ? List.of(settings.bind() + ":" + settings.port()) : settings.join(), settings.bind());
        config.setInstanceName("paraflow-" + settings.attributes().get(ROLE) + "-" + settings.bind() + "-" + settings.port()
                + "-" + System.nanoTime());
        config.setLiteMember(settings.liteMember());
        config.setProperty("hazelcast.logging.type", "none");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.local.localAddress", settings.bind());
        long detectionSeconds = Math.max(2, (settings.detection().toMillis() + 999) / 1000);
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(detectionSeconds));
        config.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
        // Paraflow keeps only large results in partitions: fewer of them make joining and leaving (migrations) cheaper
        config.setProperty("hazelcast.partition.count", "23");
        // a kept result survives the loss of one member: the put returns once its backup is written, and a put
        // whose backup did not confirm in time (hazelcast.operation.backup.timeout.millis) fails instead of
        // returning as if it had (ResultStore then sends the value with its completion)
        config.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true");
        config.getMapConfig(ResultStore.MAP_PREFIX + "*").setBackupCount(1).setAsyncBackupCount(0)
                .setStatisticsEnabled(false);
        config.getMemberAttributeConfig().setAttributes(settings.attributes());
        config.getExecutorConfig(MESSAGES).setPoolSize(4).setStatisticsEnabled(false);
        config.getSerializationConfig().addDataSerializableFactory(Envelope.FACTORY_ID, Envelope.FACTORY);
        config.setUserContext(new ConcurrentHashMap<>(Map.of(Envelope.INBOX, inbox)));
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port()).setPortAutoIncrement(settings.autoIncrement()).setPortCount(100);
        return config;
    }

    /** A member's {@code host:port}. */
    public static String address(Member member) {
        return member.getAddress().getHost() + ":" + member.getAddress().getPort();
    }

    /** A member's name: its {@link #NAME} attribute, or its address. */
    public static String name(Member member) {
        String name = member.getAttribute(NAME);
        return name != null ? name : address(member);
    }

    /**
     * On a machine with few processors the JDK's common pool has parallelism 1, and Hazelcast then starts
     * a thread per asynchronous callback (about 60 times fewer messages per second): raise it before the
     * pool exists, unless the user chose a value. Has no effect if the pool was already used.
     */
    public static void tameCommonPool() {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM, "4");
        }
        if (ForkJoinPool.getCommonPoolParallelism() < 2) {
            System.getLogger(Hazelcasts.class.getName()).log(System.Logger.Level.WARNING, "the common ForkJoinPool has"
                    + " parallelism " + ForkJoinPool.getCommonPoolParallelism() + ": Hazelcast will be slow; start the JVM"
                    + " with -D" + COMMON_POOL_PARALLELISM + "=4");
        }
    }
}

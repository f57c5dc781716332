package io.paraflow.cluster.security;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.spi.properties.ClusterProperty;

import java.util.Collection;
import java.util.List;

/**
 * The Hazelcast settings every Paraflow member (driver or worker) starts with, whatever else its
 * configuration says: what Paraflow can do about Hazelcast Community's lack of authentication.
 * <ul>
 *   <li>the cluster name is derived from the {@link ClusterSecret} ({@link ClusterSecret#clusterName()}),
 *       so a member with another secret is refused at join and forms a cluster of its own;</li>
 *   <li>members are found only through the listed addresses (TCP-IP join); multicast and automatic
 *       discovery are off;</li>
 *   <li>with a bind address, the member listens on that interface only, never on every interface;</li>
 *   <li>Java deserialization inside Hazelcast is restricted to an allow-list: Hazelcast's own classes, the
 *       JDK's {@code java.lang}, {@code java.util} and {@code java.time} (exceptions, collections, times);
 *       Hazelcast's built-in deny-list of known gadget classes stays on.
 *       Paraflow's own messages are sealed byte arrays ({@link ClusterCipher}) and never need Java
 *       deserialization by Hazelcast;</li>
 *   <li>Hazelcast's phone-home is off (members of a compute cluster have no business calling out).</li>
 * </ul>
 *
 * <p>Not thread-safe (it changes {@code config}); call it before the instance starts.
 */
public final class HazelcastHardening {
    /** What Hazelcast itself may deserialize with Java serialization: prefixes of class names. */
    static final List<String> JAVA_DESERIALIZATION_ALLOWED = List.of(
            "com.hazelcast.", "java.lang.", "java.util.", "java.time.");

    private HazelcastHardening() {
    }

    /**
     * Applies the settings above to {@code config}.
     *
     * @param members the addresses ({@code host} or {@code host:port}) through which the member finds the
     *     cluster; may be empty for the first member
     * @param bindAddress the IP address of the interface to listen on, or {@code null} to let Hazelcast
     *     choose one interface (it still listens on that one only)
     * @return {@code config}
     */
    public static Config apply(Config config, ClusterSecret secret, Collection<String> members, String bindAddress) {
        config.setClusterName(secret.clusterName());
        config.setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false");
        config.setProperty(ClusterProperty.SOCKET_BIND_ANY.getName(), "false");

        NetworkConfig network = config.getNetworkConfig();
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(List.copyOf(members));
        if (bindAddress != null) {
            network.getInterfaces().setEnabled(true).setInterfaces(List.of(bindAddress));
        }

        ClassFilter allowed = new ClassFilter();
        JAVA_DESERIALIZATION_ALLOWED.forEach(allowed::addPrefixes);
        config.getSerializationConfig().setJavaSerializationFilterConfig(
                new JavaSerializationFilterConfig().setWhitelist(allowed).setDefaultsDisabled(false));
        return config;
    }
}

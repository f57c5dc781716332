package io.paraflow.cluster.security;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Members started in this JVM on 127.0.0.1 with the settings every Paraflow member gets. */
class HazelcastHardeningTest {
    private static final ClusterSecret SECRET = ClusterSecret.generate();
    private static final List<HazelcastInstance> STARTED = new ArrayList<>();
    private static HazelcastInstance first;
    private static HazelcastInstance second;
    private static String firstAddress;

    @BeforeAll
    static void startTwoMembersWithTheSameSecret() throws IOException {
        int port = freePort();
        firstAddress = "127.0.0.1:" + port;
        first = start(SECRET, port);
        second = start(SECRET, freePort());
    }

    @AfterAll
    static void stopEveryMember() {
        STARTED.forEach(HazelcastInstance::shutdown);
    }

    @Test
    void membersWithTheSameSecretFormOneClusterUnderANameThatHidesTheSecret() {
        assertThat(first.getCluster().getMembers()).hasSize(2);
        assertThat(second.getCluster().getMembers()).hasSize(2);
        assertThat(first.getConfig().getClusterName()).isEqualTo(SECRET.clusterName()).startsWith("paraflow-")
                .doesNotContain(SECRET.encoded().substring("paraflow-secret-v1:".length(), 30));
        assertThat(ClusterSecret.generate().clusterName()).isNotEqualTo(SECRET.clusterName());
    }

    @Test
    void aMemberWithAnotherSecretIsRefusedAndTheClusterKeepsWorking() throws IOException {
        HazelcastInstance stranger = start(ClusterSecret.generate(), freePort());

        assertThat(stranger.getCluster().getMembers()).hasSize(1);
        assertThat(first.getCluster().getMembers()).hasSize(2)
                .noneMatch(member -> member.getUuid().equals(stranger.getCluster().getLocalMember().getUuid()));
        IMap<String, String> shared = first.getMap("shared");
        shared.put("key", "value");
        assertThat(second.<String, String>getMap("shared").get("key")).isEqualTo("value");
        assertThat(stranger.<String, String>getMap("shared").get("key")).isNull();
    }

    @Test
    void hazelcastDeserializesOnlyAllowedClassesWithJavaSerialization() {
        IMap<String, Object> values = first.getMap("values");
        values.put("allowed", new ArrayList<>(List.of("a", "b")));
        values.put("refused", new NotAllowed("payload"));

        assertThat(second.getMap("values").get("allowed")).isEqualTo(List.of("a", "b"));
        assertThatThrownBy(() -> second.getMap("values").get("refused"))
                .hasStackTraceContaining(NotAllowed.class.getName());
    }

    @Test
    void membersListenOnTheirBindAddressOnly() {
        assertThat(first.getCluster().getLocalMember().getAddress().getHost()).isEqualTo("127.0.0.1");
        assertThat(first.getConfig().getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
        assertThat(first.getConfig().getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    }

    /** A class Java serialization could rebuild, but not on Hazelcast's allow-list. */
    record NotAllowed(String content) implements Serializable {
    }

    private static HazelcastInstance start(ClusterSecret secret, int port) {
        Config config = new Config();
        config.setProperty("hazelcast.logging.type", "none");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        List<String> members = firstAddress == null || port == Integer.parseInt(firstAddress.split(":")[1])
                ? List.of("127.0.0.1:" + port) : List.of(firstAddress);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(
                HazelcastHardening.apply(config, secret, members, "127.0.0.1"));
        STARTED.add(member);
        return member;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

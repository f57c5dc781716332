package io.paraflow.cluster.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.paraflow.RemoteTaskException;
import io.paraflow.ResultUnavailableException;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The data grid's store on one in-process Hazelcast member that plays both the driver (its threshold
 * attribute, its map) and the workers: what is kept and what travels, the producing member's own copy and
 * its budget, and values planted or moved in the map.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ResultStoreTest {
    private static final ClusterSecret SECRET = ClusterSecret.generate();
    private static final long THRESHOLD = 1_000;
    private final Serializer serializer = new ForySerializer.Factory().create(List.of());
    private final AtomicLong keys = new AtomicLong();
    private HazelcastInstance member;
    private String driver;
    private ResultStore producer;
    private ResultStore reader;

    @BeforeAll
    void startMember() {
        Hazelcasts.Settings settings = new Hazelcasts.Settings(SECRET, List.of(), "127.0.0.1", freePort(), false,
                Duration.ofSeconds(5), false, Map.of(Hazelcasts.ROLE, "driver", ResultStore.THRESHOLD,
                Long.toString(THRESHOLD)));
        member = Hazelcasts.start(settings, (kind, payload) -> { });
        driver = member.getCluster().getLocalMember().getUuid().toString();
    }

    @AfterAll
    void stopMember() {
        member.shutdown();
    }

    @BeforeEach
    void freshStores() {
        producer = new ResultStore(member, SECRET.cipher(), "producer", 10 * THRESHOLD);
        reader = new ResultStore(member, SECRET.cipher(), "reader", 10 * THRESHOLD);
    }

    private static String text(int length) {
        return "x".repeat(length);
    }

    /** Keeps {@code value} as the result of a new task; returns where it is. */
    private GridRef keep(Object value) {
        long key = keys.incrementAndGet();
        byte[] bytes = serializer.toBytes(value);
        Batches.Outcome outcome = producer.outcome(driver, key, value, bytes);
        assertThat(outcome.kind()).isEqualTo(Batches.KEPT);
        assertThat(ResultStore.keptSize(outcome)).isEqualTo(bytes.length);
        return new GridRef(driver, key, bytes.length, driver, "producer", key, "task " + key);
    }

    private IMap<Long, byte[]> map() {
        return member.getMap(ResultStore.mapName(driver));
    }

    @Test
    void aResultBelowTheThresholdTravelsAndOneAtOrAboveItIsKeptSealed() {
        byte[] small = serializer.toBytes(text(100));
        Batches.Outcome inline = producer.outcome(driver, keys.incrementAndGet(), text(100), small);
        assertThat(inline.kind()).isEqualTo(Batches.RESULT);
        assertThat(inline.bytes()).isEqualTo(small);

        GridRef ref = keep("secret " + text(2_000));
        byte[] sealed = map().get(ref.key());
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("secret xxxx");
        assertThat(reader.read(ref, serializer)).isEqualTo("secret " + text(2_000));
    }

    @Test
    void theProducingMemberUsesTheObjectItselfAndAnotherReadsTheGridOnceThenItsOwnCopy() {
        StringBuilder value = new StringBuilder(text(2_000));
        GridRef ref = keep(value);

        Object[] onProducer = producer.resolve(new Object[] {ref, 7}, serializer);
        assertThat(onProducer[0]).isSameAs(value);
        assertThat(onProducer[1]).isEqualTo(7);
        assertThat(producer.reads()).isZero();

        Object first = reader.resolve(new Object[] {ref}, serializer)[0];
        Object second = reader.resolve(new Object[] {ref}, serializer)[0];
        assertThat(first).isNotSameAs(value).hasToString(value.toString());
        assertThat(second).isSameAs(first);
        assertThat(reader.reads()).isEqualTo(1);
    }

    @Test
    void theOwnCopiesStayWithinTheBudgetOldestOutFirst() {
        GridRef first = keep(text(4 * (int) THRESHOLD));
        keep(text(4 * (int) THRESHOLD));
        GridRef third = keep(text(4 * (int) THRESHOLD));

        producer.resolve(new Object[] {third}, serializer);
        assertThat(producer.reads()).as("the newest is still here").isZero();
        assertThat(producer.resolve(new Object[] {first}, serializer)[0]).isEqualTo(text(4 * (int) THRESHOLD));
        assertThat(producer.reads()).as("the oldest was dropped, the grid still has it").isEqualTo(1);
    }

    @Test
    void aValuePlantedMovedOrGoneFailsNamingTheArgumentTheTaskAndTheWorker() {
        GridRef moved = keep(text(2_000));
        GridRef planted = keep(text(2_000));
        GridRef gone = keep(text(2_000));
        GridRef source = keep(text(3_000));
        map().set(moved.key(), map().get(source.key()));
        map().set(planted.key(), ClusterSecret.generate().cipher().seal(ResultStore.purpose(driver, planted.key()),
                serializer.toBytes("planted")));
        map().delete(gone.key());

        for (GridRef ref : List.of(moved, planted)) {
            assertThatThrownBy(() -> reader.resolve(new Object[] {1, ref}, serializer))
                    .isInstanceOfSatisfying(ResultUnavailableException.class, e -> {
                        assertThat(e.taskId()).isEqualTo(ref.taskId());
                        assertThat(e.taskName()).isEqualTo(ref.task());
                        assertThat(e.worker()).isEqualTo("producer");
                        assertThat(e.getCause()).as("captured: it travels back to the driver")
                                .isInstanceOf(RemoteTaskException.class);
                    })
                    .hasMessageContaining("argument 2").hasMessageContaining("worker reader")
                    .hasMessageContaining("task '" + ref.task() + "'").hasMessageContaining("computed on worker producer")
                    .hasMessageContaining("failed authentication");
        }
        assertThatThrownBy(() -> reader.read(gone, serializer)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not in the cluster any more");
    }

    @Test
    void forgettingADriverDropsItsCopiesAndItsMap() {
        GridRef ref = keep(text(2_000));
        assertThat(producer.hasMap(driver)).isTrue();
        producer.forget(driver);

        assertThat(producer.hasMap(driver)).as("destroyed, not only emptied").isFalse();
        assertThatThrownBy(() -> producer.resolve(new Object[] {ref}, serializer))
                .hasMessageContaining("not in the cluster any more").hasMessageContaining("run of its driver ended");

        String large = text(3_000);
        Batches.Outcome late = producer.outcome(driver, keys.incrementAndGet(), large, serializer.toBytes(large));
        assertThat(late.kind()).as("a result finished after its driver left is not kept").isEqualTo(Batches.RESULT);
        assertThat(producer.hasMap(driver)).as("and its map is not made again").isFalse();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

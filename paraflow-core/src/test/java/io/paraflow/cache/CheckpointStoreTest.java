package io.paraflow.cache;

import io.paraflow.cache.internal.CheckpointStore;
import io.paraflow.cache.internal.CheckpointStore.Entry;
import io.paraflow.cache.internal.CheckpointStore.Kind;
import io.paraflow.cache.internal.Fingerprint;
import io.paraflow.cache.internal.Fingerprints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointStoreTest {

    @TempDir
    Path dir;

    private final Fingerprints fingerprints = new Fingerprints();

    private Fingerprint key(int i) {
        return fingerprints.of(i);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void fill(int count, FlushPolicy policy) throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, policy, true)) {
            for (int i = 0; i < count; i++) {
                store.append(key(i), Kind.VALUE, "task" + i, "v1", bytes("result " + i));
            }
        }
    }

    @Test
    void recordsSurviveReopeningAndLaterRecordsSupersede() throws IOException {
        fill(100, FlushPolicy.periodic(Duration.ofMillis(50)));
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.everyTask(), true)) {
            assertThat(store.size()).isEqualTo(100);
            assertThat(store.truncatedBytes()).isZero();
            Entry entry = store.lookup(key(7));
            assertThat(entry.name()).isEqualTo("task7");
            assertThat(entry.version()).isEqualTo("v1");
            assertThat(new String(store.payload(entry), StandardCharsets.UTF_8)).isEqualTo("result 7");
            store.append(key(7), Kind.FAILURE, "task7", "v2", bytes("boom"));
            assertThat(new String(store.payload(store.lookup(key(7))), StandardCharsets.UTF_8)).isEqualTo("boom");
        }
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.atClose(), true)) {
            Entry entry = store.lookup(key(7));
            assertThat(entry.kind()).isEqualTo(Kind.FAILURE);
            assertThat(entry.version()).isEqualTo("v2");
            assertThat(store.lookup(key(1000))).isNull();
        }
    }

    @Test
    void aPendingRecordCanBeReadBeforeItIsWritten() throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.atClose(), true)) {
            store.append(key(1), Kind.VALUE, "t", "", bytes("pending"));
            assertThat(Files.size(dir.resolve(CheckpointStore.LOG))).isEqualTo(8);
            assertThat(new String(store.payload(store.lookup(key(1))), StandardCharsets.UTF_8)).isEqualTo("pending");
        }
    }

    @Test
    void aTornLastRecordIsIgnoredAndCutOff() throws IOException {
        fill(10, FlushPolicy.everyTask());
        Path log = dir.resolve(CheckpointStore.LOG);
        long whole = Files.size(log);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            channel.truncate(whole - 3);
        }
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.everyTask(), true)) {
            assertThat(store.size()).isEqualTo(9);
            assertThat(store.lookup(key(9))).isNull();
            assertThat(store.truncatedBytes()).isPositive();
            store.append(key(9), Kind.VALUE, "task9", "v1", bytes("again"));
        }
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.everyTask(), true)) {
            assertThat(store.size()).isEqualTo(10);
            assertThat(store.truncatedBytes()).isZero();
            assertThat(new String(store.payload(store.lookup(key(9))), StandardCharsets.UTF_8)).isEqualTo("again");
        }
    }

    @Test
    void garbageAfterTheLastRecordAndACorruptRecordAreNeverRead() throws IOException {
        fill(10, FlushPolicy.everyTask());
        Path log = dir.resolve(CheckpointStore.LOG);
        long whole = Files.size(log);
        Files.write(log, new byte[]{0, 0, 0, 60, 1, 2, 3, 4, 5}, StandardOpenOption.APPEND);
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.everyTask(), true)) {
            assertThat(store.size()).isEqualTo(10);
        }
        assertThat(Files.size(log)).isEqualTo(whole);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[]{'X'}), whole - 2);
        }
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.everyTask(), true)) {
            assertThat(store.size()).isEqualTo(9);
            assertThat(store.lookup(key(9))).isNull();
        }
    }

    @Test
    void atCloseWritesNothingBeforeCloseAndEveryTaskWritesAtOnce() throws IOException {
        Path log = dir.resolve(CheckpointStore.LOG);
        CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.atClose(), true);
        store.append(key(1), Kind.VALUE, "t", "", bytes("x"));
        assertThat(CheckpointStore.read(dir)).isEmpty();
        store.close();
        assertThat(CheckpointStore.read(dir)).hasSize(1);
        try (CheckpointStore eager = CheckpointStore.open(dir, FlushPolicy.everyTask(), true)) {
            eager.append(key(2), Kind.VALUE, "t", "", bytes("y"));
            assertThat(CheckpointStore.read(dir)).hasSize(2);
        }
        assertThat(Files.size(log)).isGreaterThan(8);
    }

    @Test
    void periodicPolicyWritesWithoutClose() throws IOException, InterruptedException {
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.periodic(Duration.ofMillis(20)), true)) {
            store.append(key(1), Kind.VALUE, "t", "", bytes("x"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (CheckpointStore.read(dir).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(CheckpointStore.read(dir)).hasSize(1);
        }
    }

    @Test
    void oneRunAtATime() throws IOException {
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.everyTask(), true)) {
            assertThatThrownBy(() -> CheckpointStore.open(dir, FlushPolicy.everyTask(), true))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("in use by another run");
        }
        CheckpointStore.open(dir, FlushPolicy.everyTask(), true).close();
    }

    @Test
    void aFileThatIsNotALogIsRefusedAndKept() throws IOException {
        Path log = dir.resolve(CheckpointStore.LOG);
        Files.writeString(log, "some other file with precious content");
        assertThatThrownBy(() -> CheckpointStore.open(dir, FlushPolicy.everyTask(), true))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a Paraflow checkpoint log");
        assertThat(Files.readString(log)).isEqualTo("some other file with precious content");
        assertThatThrownBy(() -> CheckpointStore.open(dir, FlushPolicy.everyTask(), true))
                .as("the refused open released the store's lock")
                .hasMessageContaining("not a Paraflow checkpoint log");
        Files.writeString(log, "tiny");
        assertThatThrownBy(() -> CheckpointStore.open(dir, FlushPolicy.everyTask(), true))
                .hasMessageContaining("not a Paraflow checkpoint log");
        assertThat(Files.readString(log)).isEqualTo("tiny");
    }

    @Test
    void concurrentAppendsAreAllKept() throws Exception {
        int threads = 4;
        int each = 2_000;
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.periodic(Duration.ofMillis(1)), true)) {
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                Thread writer = new Thread(() -> {
                    for (int i = base; i < base + each; i++) {
                        try {
                            store.append(key(i), Kind.VALUE, "t" + i, "", bytes("r" + i));
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    }
                });
                writer.start();
                writers.add(writer);
            }
            for (Thread writer : writers) {
                writer.join();
            }
        }
        List<Entry> entries = CheckpointStore.read(dir);
        assertThat(entries).hasSize(threads * each);
        try (CheckpointStore store = CheckpointStore.open(dir, FlushPolicy.everyTask(), true)) {
            for (int i = 0; i < threads * each; i += 97) {
                assertThat(new String(store.payload(store.lookup(key(i))), StandardCharsets.UTF_8)).isEqualTo("r" + i);
            }
        }
    }

    @Test
    void cleanDeletesTheStoreAndRefusesWhatIsNotOne() throws IOException {
        fill(3, FlushPolicy.everyTask());
        CheckpointStore.clean(dir);
        assertThat(dir.resolve(CheckpointStore.LOG)).doesNotExist();
        assertThatThrownBy(() -> CheckpointStore.clean(dir)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> CheckpointStore.read(dir)).isInstanceOf(NoSuchFileException.class);
    }
}

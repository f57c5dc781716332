package io.paraflow.cluster.internal;

import io.paraflow.cluster.security.ClusterSecret;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a member does with what it receives: only what was sealed with its secret, for that kind, for it, in
 * its driver's session, and not received before, opens.
 */
class EnvelopesTest {
    private static final ClusterSecret SECRET = ClusterSecret.generate();
    private final UUID driverId = UUID.randomUUID();
    private final UUID workerId = UUID.randomUUID();
    private final Envelopes driver = connected(Envelopes.ofDriver(SECRET.cipher(), "driver"), driverId);
    /** A worker the driver greeted: it has a session with the driver. */
    private final Envelopes worker = greeted(connected(Envelopes.ofWorker(SECRET.cipher(), "worker"), workerId));

    private static Envelopes connected(Envelopes envelopes, UUID self) {
        envelopes.connect(null, self, "member " + self);
        return envelopes;
    }

    private Envelopes greeted(Envelopes worker) {
        assertThat(worker.open(Envelopes.HELLO, driver.seal(workerId, Envelopes.HELLO, hello()))).isNotNull();
        return worker;
    }

    private byte[] hello() {
        return Greeting.fresh(driverId.toString()).encode();
    }

    private static byte[] taskBatch() {
        return Batches.encode(new Batches.TaskBatch("driver", "factory", List.of("org.example.*"),
                List.of(new Batches.Job(7, 1, 0, "task", "invocation".getBytes(StandardCharsets.UTF_8)))));
    }

    @Test
    void whatAMemberWithTheSameSecretSealedForItOpensAsSent() {
        byte[] plain = taskBatch();
        byte[] opened = worker.open(Envelopes.TASKS, driver.seal(workerId, Envelopes.TASKS, plain));
        assertThat(opened).isEqualTo(plain);
        assertThat(Batches.decodeTasks(opened).jobs()).singleElement().satisfies(job -> assertThat(job.key()).isEqualTo(7));
        // the worker learnt the driver's session from it, and answers in it
        assertThat(driver.open(Envelopes.RESULTS, worker.seal(driverId, Envelopes.RESULTS, new byte[] {1}))).containsExactly(1);
    }

    @Test
    void whatAMemberWithAnotherSecretSealedIsDropped() {
        Envelopes rogue = connected(Envelopes.ofDriver(ClusterSecret.generate().cipher(), "rogue"), driverId);
        assertThat(worker.open(Envelopes.TASKS, rogue.seal(workerId, Envelopes.TASKS, taskBatch()))).isNull();
        assertThat(worker.open(Envelopes.CANCEL, rogue.seal(workerId, Envelopes.CANCEL, new byte[8]))).isNull();
    }

    @Test
    void aTaskBatchNeverOpensAsAResultOrACancellation() {
        byte[] sealed = driver.seal(workerId, Envelopes.TASKS, taskBatch());
        assertThat(worker.open(Envelopes.RESULTS, sealed)).isNull();
        assertThat(worker.open(Envelopes.CANCEL, sealed)).isNull();
        assertThat(worker.open(Envelopes.TASKS, sealed)).as("control: it opens as what it is").isNotNull();
    }

    @Test
    void aLoadReportOpensAtItsDriverOnceAndNeverAsAnotherKind() {
        byte[] report = Batches.encode(new Batches.Load(workerId.toString(), 0.5, 2_000_000, 64 << 20, 256 << 20));
        byte[] sealed = worker.seal(driverId, Envelopes.LOAD, report);
        assertThat(driver.open(Envelopes.RESULTS, sealed)).as("as a result batch").isNull();
        assertThat(driver.open(Envelopes.WELCOME, sealed)).as("as a greeting's answer").isNull();
        byte[] opened = driver.open(Envelopes.LOAD, sealed);
        assertThat(opened).as("as what it is").isNotNull();
        assertThat(Batches.decodeLoad(opened)).isEqualTo(Batches.decodeLoad(report));
        assertThat(driver.open(Envelopes.LOAD, sealed.clone())).as("replayed").isNull();
        driver.forget(workerId);
        assertThat(driver.open(Envelopes.LOAD, worker.seal(driverId, Envelopes.LOAD, report))).as("once it left").isNull();
    }

    @Test
    void unsealedBytesAndUnknownKindsAreDropped() {
        assertThat(worker.open(Envelopes.TASKS, taskBatch())).isNull();
        assertThat(worker.open(Envelopes.TASKS, new byte[3])).isNull();
        assertThat(worker.open((byte) 9, driver.seal(workerId, Envelopes.TASKS, taskBatch()))).isNull();
    }

    @Test
    void aMessageOpensOnceOnly() {
        byte[] sealed = driver.seal(workerId, Envelopes.TASKS, taskBatch());
        assertThat(worker.open(Envelopes.TASKS, sealed)).isNotNull();
        assertThat(worker.open(Envelopes.TASKS, sealed)).as("the same message again").isNull();
        assertThat(worker.open(Envelopes.TASKS, sealed.clone())).as("a copy of it").isNull();
    }

    @Test
    void messagesOpenInAnyOrderWithinTheWindow() {
        List<byte[]> sealed = List.of(driver.seal(workerId, Envelopes.TASKS, taskBatch()),
                driver.seal(workerId, Envelopes.CANCEL, new byte[1]), driver.seal(workerId, Envelopes.TASKS, taskBatch()));
        assertThat(worker.open(Envelopes.TASKS, sealed.get(2))).isNotNull();
        assertThat(worker.open(Envelopes.TASKS, sealed.get(0))).isNotNull();
        assertThat(worker.open(Envelopes.CANCEL, sealed.get(1))).isNotNull();
    }

    @Test
    void aMessageForOneMemberDoesNotOpenAtAnother() {
        UUID otherId = UUID.randomUUID();
        Envelopes other = connected(Envelopes.ofWorker(SECRET.cipher(), "other worker"), otherId);
        byte[] forWorker = driver.seal(workerId, Envelopes.HELLO, hello());
        assertThat(other.open(Envelopes.HELLO, forWorker)).isNull();
        assertThat(other.open(Envelopes.HELLO, driver.seal(otherId, Envelopes.HELLO, hello())))
                .as("control: what is sealed for it opens").isNotNull();
    }

    @Test
    void aMessageOfAnotherDriversRunDoesNotOpen() {
        // a driver of another run under the same member id, as after a restart: only the session tells them apart
        Envelopes otherRun = connected(Envelopes.ofDriver(SECRET.cipher(), "driver of another run"), driverId);
        worker.open(Envelopes.HELLO, driver.seal(workerId, Envelopes.HELLO, new byte[1]));
        byte[] result = worker.seal(driverId, Envelopes.RESULTS, new byte[] {1});
        assertThat(otherRun.open(Envelopes.RESULTS, result)).isNull();
        assertThat(driver.open(Envelopes.RESULTS, result)).as("control: its own run opens it").isNotNull();
        assertThat(worker.open(Envelopes.TASKS, otherRun.seal(workerId, Envelopes.TASKS, taskBatch())))
                .as("the worker keeps to the session it learnt from that member").isNull();
    }

    @Test
    void aWorkerCannotSendToADriverItHasNotHeardFrom() {
        Envelopes stranger = connected(Envelopes.ofWorker(SECRET.cipher(), "stranger"), UUID.randomUUID());
        assertThatThrownBy(() -> stranger.seal(driverId, Envelopes.RESULTS, new byte[1]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no session");
    }

    @Test
    void messagesOfAMemberThatLeftAreRefused() {
        byte[] first = driver.seal(workerId, Envelopes.TASKS, taskBatch());
        byte[] later = driver.seal(workerId, Envelopes.TASKS, taskBatch());
        assertThat(worker.open(Envelopes.TASKS, first)).isNotNull();
        worker.forget(driverId);
        assertThat(worker.open(Envelopes.TASKS, later)).isNull();
        assertThat(worker.open(Envelopes.TASKS, first)).isNull();
    }

    @Test
    void aDriverThatLeftStaysRefusedHoweverManyMembersLeaveAfterIt() {
        byte[] recordedHello = driver.seal(workerId, Envelopes.HELLO, hello());
        byte[] recordedTasks = driver.seal(workerId, Envelopes.TASKS, taskBatch());
        assertThat(worker.open(Envelopes.TASKS, recordedTasks)).isNotNull();
        worker.forget(driverId);
        // members without the secret may join and leave at will: their departures push nothing out
        for (int i = 0; i < 20_000; i++) {
            worker.forget(UUID.randomUUID());
        }
        assertThat(worker.open(Envelopes.HELLO, recordedHello)).isNull();
        assertThat(worker.open(Envelopes.TASKS, recordedTasks)).isNull();
    }

    @Test
    void aWorkerStartsASessionOnlyFromAGreeting() {
        UUID otherWorkerId = UUID.randomUUID();
        Envelopes other = connected(Envelopes.ofWorker(SECRET.cipher(), "other worker"), otherWorkerId);
        assertThat(other.open(Envelopes.TASKS, driver.seal(otherWorkerId, Envelopes.TASKS, taskBatch()))).isNull();
        assertThat(other.open(Envelopes.CANCEL, driver.seal(otherWorkerId, Envelopes.CANCEL, new byte[1]))).isNull();
        assertThat(other.open(Envelopes.HELLO, driver.seal(otherWorkerId, Envelopes.HELLO, hello()))).isNotNull();
        assertThat(other.open(Envelopes.TASKS, driver.seal(otherWorkerId, Envelopes.TASKS, taskBatch())))
                .as("once greeted").isNotNull();
    }

    @Test
    void aDriverOpensOnlyMessagesOfMembersItKeepsASessionWith() {
        UUID otherId = UUID.randomUUID();
        Envelopes other = connected(Envelopes.ofWorker(SECRET.cipher(), "other worker"), otherId);
        assertThat(other.open(Envelopes.HELLO, driver.seal(otherId, Envelopes.HELLO, hello()))).isNotNull();
        byte[] result = other.seal(driverId, Envelopes.RESULTS, new byte[] {1});
        // it left before the driver heard from it: nothing is kept for it, and nothing of it opens
        driver.forget(otherId);
        assertThat(driver.open(Envelopes.RESULTS, result)).isNull();
        assertThat(driver.open(Envelopes.RESULTS, worker.seal(driverId, Envelopes.RESULTS, new byte[] {1})))
                .as("control: a member it keeps a session with").isNotNull();
    }

    @Test
    void junkBeforeAReplayDoesNotHideTheReplaysWarning() {
        byte[] sealed = driver.seal(workerId, Envelopes.TASKS, taskBatch());
        assertThat(worker.open(Envelopes.TASKS, sealed)).isNotNull();
        List<String> warnings;
        try (Warnings logged = Warnings.of(Envelopes.class)) {
            worker.open(Envelopes.TASKS, new byte[3]);
            worker.open(Envelopes.TASKS, sealed);
            warnings = logged.messages();
        }
        assertThat(warnings).hasSize(2).last().asString().contains("received before");
    }

    @Test
    void theSenderOfAnOpenedMessageIsTheOneInItsHeader() {
        byte[] sealed = driver.seal(workerId, Envelopes.TASKS, taskBatch());
        assertThat(worker.open(Envelopes.TASKS, sealed)).isNotNull();
        assertThat(Envelopes.sender(sealed)).isEqualTo(driverId);
    }

    @Test
    void aTruncatedOrPaddedBatchIsRefusedBeforeAnythingIsDecoded() {
        byte[] plain = taskBatch();
        assertThatThrownBy(() -> Batches.decodeTasks(Arrays.copyOf(plain, plain.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> Batches.decodeTasks(Arrays.copyOf(plain, plain.length + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("left over");
    }
}

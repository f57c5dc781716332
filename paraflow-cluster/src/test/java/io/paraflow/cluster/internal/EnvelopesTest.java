package io.paraflow.cluster.internal;

import io.paraflow.cluster.security.ClusterSecret;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a member does with what it receives: only what was sealed with its secret, for that kind, opens. */
class EnvelopesTest {
    private static final ClusterSecret SECRET = ClusterSecret.generate();
    private final Envelopes ours = new Envelopes(SECRET.cipher(), "test member");

    private static byte[] taskBatch() {
        return Batches.encode(new Batches.TaskBatch("driver", "factory", List.of("org.example.*"),
                List.of(new Batches.Job(7, 1, 0, "task", "invocation".getBytes(StandardCharsets.UTF_8)))));
    }

    @Test
    void whatAMemberWithTheSameSecretSealedOpensAsSent() {
        byte[] plain = taskBatch();
        byte[] opened = ours.open(Envelopes.TASKS, new Envelopes(SECRET.cipher(), "other member").seal(Envelopes.TASKS, plain));
        assertThat(opened).isEqualTo(plain);
        assertThat(Batches.decodeTasks(opened).jobs()).singleElement().satisfies(job -> assertThat(job.key()).isEqualTo(7));
    }

    @Test
    void whatAMemberWithAnotherSecretSealedIsDropped() {
        Envelopes rogue = new Envelopes(ClusterSecret.generate().cipher(), "rogue");
        assertThat(ours.open(Envelopes.TASKS, rogue.seal(Envelopes.TASKS, taskBatch()))).isNull();
        assertThat(ours.open(Envelopes.RESULTS, rogue.seal(Envelopes.RESULTS, new byte[8]))).isNull();
    }

    @Test
    void aTaskBatchNeverOpensAsAResultOrACancellation() {
        byte[] sealed = ours.seal(Envelopes.TASKS, taskBatch());
        assertThat(ours.open(Envelopes.RESULTS, sealed)).isNull();
        assertThat(ours.open(Envelopes.CANCEL, sealed)).isNull();
    }

    @Test
    void unsealedBytesAndUnknownKindsAreDropped() {
        assertThat(ours.open(Envelopes.TASKS, taskBatch())).isNull();
        assertThat(ours.open((byte) 9, ours.seal(Envelopes.TASKS, taskBatch()))).isNull();
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

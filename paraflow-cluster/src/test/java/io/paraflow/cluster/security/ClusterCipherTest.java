package io.paraflow.cluster.security;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterCipherTest {
    private final ClusterCipher cipher = ClusterSecret.generate().cipher();

    @Test
    void aSealedMessageOpensForItsPurposeWithTheSameSecret() throws Exception {
        ClusterSecret secret = ClusterSecret.generate();
        byte[] message = "run task 42".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = secret.cipher().seal("task", message);

        assertThat(secret.cipher().open("task", sealed)).isEqualTo(message);
        assertThat(cipher.open("result", cipher.seal("result", new byte[0]))).isEmpty();
        byte[] large = new byte[1 << 20];
        new Random(7).nextBytes(large);
        assertThat(cipher.open("grid", cipher.seal("grid", large))).isEqualTo(large);
    }

    @Test
    void theContentIsEncrypted() {
        byte[] message = "a recognisable plaintext".getBytes(StandardCharsets.UTF_8);
        String sealed = new String(cipher.seal("task", message), StandardCharsets.ISO_8859_1);

        assertThat(sealed).doesNotContain("recognisable");
    }

    @Test
    void anotherSecretCannotOpenIt() {
        byte[] sealed = cipher.seal("task", new byte[]{1, 2, 3});

        assertThatThrownBy(() -> ClusterSecret.generate().cipher().open("task", sealed))
                .isInstanceOf(RejectedMessageException.class)
                .hasMessageContaining("failed authentication");
    }

    @Test
    void aMessageSealedForOnePurposeDoesNotOpenForAnother() {
        byte[] sealed = cipher.seal("task", new byte[]{1, 2, 3});

        assertThatThrownBy(() -> cipher.open("result", sealed))
                .isInstanceOf(RejectedMessageException.class)
                .hasMessageContaining("'result'");
    }

    @Test
    void aMessageSealedForAContextOpensOnlyWithTheSameContext() throws Exception {
        byte[] context = "from a to b, session 7, number 1".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = cipher.seal("task", context, new byte[]{1, 2, 3});

        assertThat(cipher.open("task", context.clone(), sealed)).containsExactly(1, 2, 3);
        byte[] otherRecipient = "from a to c, session 7, number 1".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> cipher.open("task", otherRecipient, sealed)).isInstanceOf(RejectedMessageException.class);
        assertThatThrownBy(() -> cipher.open("task", sealed)).as("without its context")
                .isInstanceOf(RejectedMessageException.class);
        // the purpose and the context are kept apart: moving bytes from one to the other does not open it
        byte[] shifted = ("k" + new String(context, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> cipher.open("tas", shifted, sealed)).isInstanceOf(RejectedMessageException.class);
        assertThatThrownBy(() -> cipher.seal("task\0", new byte[0], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
    }

    @Test
    void everyChangedBitIsRejected() {
        byte[] sealed = cipher.seal("task", "tiny".getBytes(StandardCharsets.UTF_8));

        for (int bit = 0; bit < sealed.length * 8; bit++) {
            byte[] changed = sealed.clone();
            changed[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> cipher.open("task", changed))
                    .as("bit %d flipped", bit)
                    .isInstanceOf(RejectedMessageException.class);
        }
    }

    @Test
    void truncatedOrForeignBytesAreRejected() {
        byte[] sealed = cipher.seal("task", new byte[100]);

        for (int length : new int[]{0, 1, 13, 28, 29, sealed.length - 1}) {
            byte[] cut = java.util.Arrays.copyOf(sealed, length);
            assertThatThrownBy(() -> cipher.open("task", cut)).as("first %d bytes", length)
                    .isInstanceOf(RejectedMessageException.class);
        }
        byte[] javaSerialized = {(byte) 0xAC, (byte) 0xED, 0, 5, 0x73, 0x72, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> cipher.open("task", javaSerialized))
                .isInstanceOf(RejectedMessageException.class)
                .hasMessageContaining("not a sealed message of this Paraflow version");
        assertThatThrownBy(() -> cipher.open("", sealed)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noncesDoNotRepeatWithinOrAcrossCiphersOfOneSecret() {
        ClusterSecret secret = ClusterSecret.generate();
        List<ClusterCipher> members = List.of(secret.cipher(), secret.cipher(), secret.cipher());
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 50_000; i++) {
            for (ClusterCipher member : members) {
                byte[] sealed = member.seal("task", new byte[0]);
                assertThat(nonces.add(HexFormat.of().formatHex(sealed, 1, 13))).as("nonce repeated").isTrue();
            }
        }
    }

    @Test
    void manyThreadsSealAndOpenAtOnce() throws Exception {
        ClusterSecret secret = ClusterSecret.generate();
        ClusterCipher sender = secret.cipher();
        ClusterCipher receiver = secret.cipher();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                runs.add(threads.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        byte[] message = (thread + ":" + i).getBytes(StandardCharsets.UTF_8);
                        assertThat(receiver.open("result", sender.seal("result", message))).isEqualTo(message);
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void keyDerivationMatchesRfc5869TestCase1() {
        byte[] inputKey = new byte[22];
        java.util.Arrays.fill(inputKey, (byte) 0x0b);
        byte[] salt = HexFormat.of().parseHex("000102030405060708090a0b0c");
        byte[] info = HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9");

        assertThat(HexFormat.of().formatHex(ClusterCipher.hkdfSha256(inputKey, salt, info, 42))).isEqualTo(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }
}

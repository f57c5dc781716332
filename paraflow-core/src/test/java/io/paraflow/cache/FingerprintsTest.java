package io.paraflow.cache;

import io.paraflow.cache.internal.Fingerprint;
import io.paraflow.cache.internal.Fingerprints;
import io.paraflow.cache.internal.NotFingerprintableException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FingerprintsTest {

    private final Fingerprints fingerprints = new Fingerprints();

    @Test
    void equalContentGivesEqualFingerprints() {
        assertThat(fingerprints.of(List.of(1, "a", new byte[]{1, 2})))
                .isEqualTo(fingerprints.of(new ArrayList<>(List.of(1, "a", new byte[]{1, 2}))));
        assertThat(fingerprints.of(new int[]{1, 2, 3})).isEqualTo(fingerprints.of(new int[]{1, 2, 3}));
        assertThat(fingerprints.of(Map.of("a", 1, "b", 2))).isEqualTo(fingerprints.of(new TreeMap<>(Map.of("b", 2, "a", 1))));
    }

    @Test
    void setsAndMapsDoNotDependOnIterationOrder() {
        Set<String> forward = new LinkedHashSet<>(List.of("x", "y", "z"));
        Set<String> backward = new LinkedHashSet<>(List.of("z", "y", "x"));
        assertThat(fingerprints.of(forward)).isEqualTo(fingerprints.of(backward));
    }

    @Test
    void differentContentOrTypeGivesDifferentFingerprints() {
        List<Object> values = List.of(1, 1L, (short) 1, (byte) 1, 1.0, 1.0f, "1", '1', true, false,
                List.of(1), Set.of(1), new int[]{1}, new long[]{1}, new Object[]{1}, List.of(List.of(1)),
                List.of(1, 2), List.of(2, 1), Map.of(1, 2), Map.of(2, 1), FingerprintSamples.Color.RED,
                FingerprintSamples.Color.GREEN, new FingerprintSamples.Point(1, 2, FingerprintSamples.Color.RED),
                new FingerprintSamples.Point(2, 1, FingerprintSamples.Color.RED), List.of("ab", "c"), List.of("a", "bc"));
        Set<Fingerprint> seen = new HashSet<>();
        for (Object value : values) {
            assertThat(seen.add(fingerprints.of(value))).as("fingerprint of %s is new", value).isTrue();
        }
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        assertThat(seen.add(fingerprints.of(withNull))).isTrue();
        assertThat(seen.add(fingerprints.of(null))).isTrue();
    }

    @Test
    void fingerprintsAreTheSameInAnotherJvm() throws IOException, InterruptedException {
        List<String> here = new ArrayList<>();
        for (Object value : FingerprintSamples.values()) {
            here.add(fingerprints.of(value).toString());
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=2", "-cp", System.getProperty("java.class.path"),
                FingerprintSamples.class.getName()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output.lines().toList()).isEqualTo(here);
    }

    @Test
    void unknownTypesAreRejectedWithWhereAndWhatToDo() {
        Object opaque = new Object();
        assertThatThrownBy(() -> fingerprints.of(List.of("a", Map.of("k", opaque))))
                .isInstanceOf(NotFingerprintableException.class)
                .hasMessageContaining("java.lang.Object")
                .hasMessageContaining("register a Fingerprinter");
    }

    @Test
    void registeredFingerprinterDecidesForItsTypeAndSubtypes() {
        fingerprints.register(Opaque.class, o -> o.id);
        assertThat(fingerprints.of(new Opaque("a"))).isEqualTo(fingerprints.of(new Opaque("a")));
        assertThat(fingerprints.of(new Opaque("a"))).isNotEqualTo(fingerprints.of(new Opaque("b")));
        assertThat(fingerprints.of(new SubOpaque("a"))).isNotEqualTo(fingerprints.of(new Opaque("a")));
        assertThat(fingerprints.of(new Opaque("a"))).isNotEqualTo(fingerprints.of("a"));
    }

    @Test
    void aFingerprinterReturningItsArgumentIsRejected() {
        fingerprints.register(Opaque.class, o -> o);
        assertThatThrownBy(() -> fingerprints.of(new Opaque("a")))
                .isInstanceOf(NotFingerprintableException.class)
                .hasMessageContaining("returned the value itself");
    }

    @Test
    void aCycleIsRejectedNotLoopedOn() {
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        assertThatThrownBy(() -> fingerprints.of(cyclic))
                .isInstanceOf(NotFingerprintableException.class)
                .hasMessageContaining("contains itself");
    }

    @Test
    void hexFormRoundTrips() {
        Fingerprint print = fingerprints.of("x");
        assertThat(Fingerprint.parse(print.toString())).isEqualTo(print);
        assertThat(print.toString()).hasSize(64);
    }

    static class Opaque {
        final String id;

        Opaque(String id) {
            this.id = id;
        }
    }

    static final class SubOpaque extends Opaque {
        SubOpaque(String id) {
            super(id);
        }
    }
}

package io.paraflow.cache;

import io.paraflow.cache.internal.Fingerprints;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sample values whose fingerprints must not depend on the JVM: sets and maps of enums iterate in
 * identity-hash order, which differs from run to run. Its main prints the fingerprints, one per line,
 * so a test can compare them with another JVM's.
 */
public final class FingerprintSamples {

    enum Color { RED, GREEN, BLUE, CYAN, MAGENTA, YELLOW, BLACK, WHITE }

    record Point(double x, double y, Color color) {
    }

    record Sample(String name, int[] counts, List<Point> points, Set<Color> colors, Map<Color, Long> weights,
                  Optional<BigDecimal> scale, Path input, LocalDate day) {
    }

    private FingerprintSamples() {
    }

    static List<Object> values() {
        Set<Color> colors = new HashSet<>(List.of(Color.values()));
        Map<Color, Long> weights = new HashMap<>();
        for (Color c : Color.values()) {
            weights.put(c, (long) c.ordinal() * 31);
        }
        Set<Point> points = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            points.add(new Point(i, -i, Color.values()[i % 8]));
        }
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("points", points);
        nested.put("empty", Map.of());
        nested.put("null", null);
        return List.of(
                "text", 42, 42L, 4.2, true, 'c', new byte[]{1, 2, 3}, Color.BLUE,
                colors, weights, new EnumMap<>(weights), points, nested,
                new Sample("s", new int[]{3, 1, 2}, List.of(new Point(1, 2, Color.RED)), colors, weights,
                        Optional.of(new BigDecimal("1.50")), Path.of("data", "in.csv"), LocalDate.of(2026, 11, 21)));
    }

    public static void main(String[] args) {
        Fingerprints fingerprints = new Fingerprints();
        for (Object value : values()) {
            System.out.println(fingerprints.of(value));
        }
    }
}

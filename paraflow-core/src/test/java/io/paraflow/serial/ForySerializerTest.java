package io.paraflow.serial;

import io.paraflow.fn.Fn1;
import org.example.tasks.Scaling;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ForySerializerTest {

    private final ForySerializer serializer = ForySerializer.allowing(List.of());

    record Point(int x, int y) {
    }

    /** Not Serializable: Fory carries it anyway. */
    static final class Plain {
        final List<Point> points = new ArrayList<>();
    }

    private static Object roundTrip(Serializer s, Object value) {
        byte[] bytes = s.toBytes(value);
        return s.fromBytes(bytes, 0, bytes.length);
    }

    @Test
    void jdkValuesUserClassesAndLambdasRoundTrip() throws Exception {
        assertThat(roundTrip(serializer, List.of(1, "two", 3.0))).isEqualTo(List.of(1, "two", 3.0));
        assertThat(roundTrip(serializer, Map.of("k", Duration.ofSeconds(2)))).isEqualTo(Map.of("k", Duration.ofSeconds(2)));
        assertThat((double[]) roundTrip(serializer, new double[] {1, 2})).containsExactly(1, 2);
        Plain plain = new Plain();
        plain.points.add(new Point(1, 2));
        assertThat(((Plain) roundTrip(serializer, plain)).points).containsExactly(new Point(1, 2));
        int offset = 5;
        Fn1<Integer, Integer> add = x -> x + offset;
        @SuppressWarnings("unchecked")
        Fn1<Integer, Integer> copy = (Fn1<Integer, Integer>) roundTrip(serializer, add);
        assertThat(copy.apply(1)).isEqualTo(6);
    }

    @Test
    void classesOutsideTheAllowListAreRefusedNamingTheTypeAndAPatternThatAllowsIt() throws Exception {
        assertThatThrownBy(() -> serializer.toBytes(Scaling.by(3))).isInstanceOfSatisfying(SerializationException.class, e -> {
            assertThat(e.type()).isEqualTo(Scaling.class.getName());
            assertThat(e).hasMessageContaining("a lambda defined in " + Scaling.class.getName())
                    .hasMessageContaining("'org.example.tasks.**'");
        });

        for (String pattern : List.of(Scaling.class.getName(), "org.example.tasks.*", "org.example.**")) {
            ForySerializer allowing = ForySerializer.allowing(List.of(pattern));
            @SuppressWarnings("unchecked")
            Fn1<Integer, Integer> scale = (Fn1<Integer, Integer>) roundTrip(allowing, Scaling.by(3));
            assertThat(scale.apply(5)).as(pattern).isEqualTo(15);
        }
        assertThatThrownBy(() -> ForySerializer.allowing(List.of("org.*")).toBytes(Scaling.by(3)))
                .as("a package pattern does not cover subpackages").isInstanceOf(SerializationException.class);
    }

    @Test
    void denyListedClassesAndCorruptBytesGiveClearErrors() {
        assertThatThrownBy(() -> serializer.toBytes(List.of(new Thread()))).isInstanceOfSatisfying(SerializationException.class,
                e -> assertThat(e).hasMessageContaining("java.lang.Thread"));
        assertThatThrownBy(() -> serializer.fromBytes(new byte[] {1, 2, 3}, 0, 3)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot deserialize 3 bytes");
    }
}

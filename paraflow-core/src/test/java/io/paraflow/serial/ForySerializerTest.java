package io.paraflow.serial;

import io.paraflow.fn.Fn1;
import org.example.tasks.Scaling;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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

    @Test
    void classesThatAreNotSerializableTravel() {
        Plain plain = new Plain();
        plain.points.add(new Point(1, 2));
        assertThat(((Plain) SerializerContractTest.roundTrip(serializer, plain)).points).containsExactly(new Point(1, 2));
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
            Fn1<Integer, Integer> scale = (Fn1<Integer, Integer>) SerializerContractTest.roundTrip(allowing, Scaling.by(3));
            assertThat(scale.apply(5)).as(pattern).isEqualTo(15);
        }
        assertThatThrownBy(() -> ForySerializer.allowing(List.of("org.*")).toBytes(Scaling.by(3)))
                .as("a package pattern does not cover subpackages").isInstanceOf(SerializationException.class);
    }

    @Test
    void denyListedClassesAreRefusedNamingThem() {
        assertThatThrownBy(() -> serializer.toBytes(List.of(new Thread()))).isInstanceOfSatisfying(SerializationException.class,
                e -> assertThat(e).hasMessageContaining("java.lang.Thread").hasMessageContaining("deny-list"));
    }
}

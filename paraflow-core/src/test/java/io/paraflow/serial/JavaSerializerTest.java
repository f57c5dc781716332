package io.paraflow.serial;

import io.paraflow.fn.Fn1;
import org.example.tasks.Scaling;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaSerializerTest {

    private final JavaSerializer serializer = JavaSerializer.allowing(List.of());

    record Point(int x, int y) implements Serializable {
    }

    private Object roundTrip(Serializer s, Object value) {
        byte[] bytes = s.toBytes(value);
        return s.fromBytes(bytes, 0, bytes.length);
    }

    @Test
    void jdkValuesCollectionsArraysAndLambdasRoundTrip() throws Exception {
        assertThat(roundTrip(serializer, List.of(1, "two", 3.0))).isEqualTo(List.of(1, "two", 3.0));
        assertThat(roundTrip(serializer, Map.of("k", Duration.ofSeconds(2)))).isEqualTo(Map.of("k", Duration.ofSeconds(2)));
        assertThat((double[]) roundTrip(serializer, new double[] {1, 2})).containsExactly(1, 2);
        assertThat(roundTrip(serializer, new Point[] {new Point(1, 2)})).isEqualTo(new Point[] {new Point(1, 2)});
        int offset = 5;
        Fn1<Integer, Integer> add = x -> x + offset;
        @SuppressWarnings("unchecked")
        Fn1<Integer, Integer> copy = (Fn1<Integer, Integer>) roundTrip(serializer, add);
        assertThat(copy.apply(1)).isEqualTo(6);
    }

    @Test
    void classesOutsideTheAllowListAreRejectedBeforeTheyAreInstantiated() {
        byte[] bytes = serializer.toBytes(List.of(URI.create("https://example.org")));

        assertThatThrownBy(() -> serializer.fromBytes(bytes, 0, bytes.length))
                .isInstanceOfSatisfying(SerializationException.class, e -> {
                    assertThat(e.type()).isEqualTo("java.net.URI");
                    assertThat(e).hasMessageContaining("'java.net.**'");
                });
        JavaSerializer allowing = JavaSerializer.allowing(List.of("java.net.URI"));
        assertThat(allowing.fromBytes(bytes, 0, bytes.length)).isEqualTo(List.of(URI.create("https://example.org")));
        assertThat(allowing.allowList()).startsWith(JavaSerializer.DEFAULT_ALLOWED.toArray(new String[0])).endsWith("java.net.URI");
    }

    @Test
    void lambdasOfUserClassesNeedTheirCapturingClassAllowedAndNothingMore() throws Exception {
        byte[] bytes = serializer.toBytes(Scaling.by(3));
        assertThatThrownBy(() -> serializer.fromBytes(bytes, 0, bytes.length)).isInstanceOfSatisfying(SerializationException.class,
                e -> assertThat(e.type()).isEqualTo(Scaling.class.getName()));

        Object copy = JavaSerializer.allowing(List.of(Scaling.class.getName())).fromBytes(bytes, 0, bytes.length);
        @SuppressWarnings("unchecked")
        Fn1<Integer, Integer> scale = (Fn1<Integer, Integer>) copy;
        assertThat(scale.apply(5)).isEqualTo(15);
    }

    @Test
    void refusesNamesTheTypeOfValuesThatCannotTravel() {
        assertThat(serializer.refuses(Point.class)).isNull();
        assertThat(serializer.refuses(int[].class)).isNull();
        assertThat(serializer.refuses(Object.class)).isEqualTo("java.lang.Object does not implement java.io.Serializable");
        assertThat(serializer.refuses(URI.class)).contains("java.net.URI").contains("allow-list");
    }

    @Test
    void corruptBytesAndUnserializableValuesGiveClearErrors() {
        assertThatThrownBy(() -> serializer.fromBytes(new byte[] {1, 2, 3}, 0, 3)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot deserialize 3 bytes");
        assertThatThrownBy(() -> serializer.toBytes(List.of(new Object()))).isInstanceOfSatisfying(SerializationException.class,
                e -> assertThat(e.type()).isEqualTo("java.lang.Object"));
    }
}

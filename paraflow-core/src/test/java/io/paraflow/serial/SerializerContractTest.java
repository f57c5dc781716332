package io.paraflow.serial;

import io.paraflow.fn.Fn1;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every serializer does, whatever else its rules: run against each one. */
class SerializerContractTest {

    record Point(int x, int y) implements Serializable {
    }

    static Stream<Serializer> serializers() {
        return Stream.of(JavaSerializer.allowing(List.of()), ForySerializer.allowing(List.of()));
    }

    static Object roundTrip(Serializer serializer, Object value) {
        byte[] bytes = serializer.toBytes(value);
        return serializer.fromBytes(bytes, 0, bytes.length);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void jdkValuesCollectionsArraysRecordsAndLambdasRoundTrip(Serializer serializer) throws Exception {
        assertThat(roundTrip(serializer, null)).isNull();
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

    @ParameterizedTest
    @MethodSource("serializers")
    void bytesInsideALargerArrayAreReadFromTheirOffset(Serializer serializer) {
        byte[] bytes = serializer.toBytes("inside");
        byte[] padded = new byte[bytes.length + 10];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        assertThat(serializer.fromBytes(padded, 3, bytes.length)).isEqualTo("inside");
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void corruptBytesGiveASerializationException(Serializer serializer) {
        assertThatThrownBy(() -> serializer.fromBytes(new byte[] {1, 2, 3}, 0, 3)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot deserialize 3 bytes");
    }
}

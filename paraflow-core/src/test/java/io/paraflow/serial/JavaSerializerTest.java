package io.paraflow.serial;

import io.paraflow.fn.Fn1;
import org.example.tasks.Scaling;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaSerializerTest {

    private final JavaSerializer serializer = JavaSerializer.allowing(List.of());

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
        assertThat(serializer.refuses(SerializerContractTest.Point.class)).isNull();
        assertThat(serializer.refuses(int[].class)).isNull();
        assertThat(serializer.refuses(Object.class)).isEqualTo("java.lang.Object does not implement java.io.Serializable");
        assertThat(serializer.refuses(URI.class)).contains("java.net.URI").contains("allow-list");
    }

    @Test
    void unserializableValuesAreRefusedNamingTheType() {
        assertThatThrownBy(() -> serializer.toBytes(List.of(new Object()))).isInstanceOfSatisfying(SerializationException.class,
                e -> assertThat(e.type()).isEqualTo("java.lang.Object"));
    }
}

package io.paraflow.cluster;

import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.Serializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerializerCacheTest {
    private final List<String> created = new ArrayList<>();
    private final SerializerCache cache = new SerializerCache(3, (factory, allowed) -> {
        if (factory.equals("broken")) {
            throw new IllegalStateException("cannot create " + factory);
        }
        created.add(factory + allowed);
        return JavaSerializer.allowing(allowed);
    });

    @Test
    void aConfigurationSeenBeforeGetsTheSameSerializer() {
        Serializer first = cache.get("fory", List.of("org.example.*"));
        assertThat(cache.get("fory", List.of("org.example.*"))).isSameAs(first);
        assertThat(cache.get("fory", List.of("org.other.*"))).isNotSameAs(first);
        assertThat(cache.get("java", List.of("org.example.*"))).isNotSameAs(first);
        assertThat(created).hasSize(3);
    }

    @Test
    void atMostCapacitySerializersAreKeptTheLeastRecentlyUsedDroppedFirst() {
        Serializer a = cache.get("fory", List.of("a.*"));
        cache.get("fory", List.of("b.*"));
        cache.get("fory", List.of("c.*"));
        assertThat(cache.get("fory", List.of("a.*"))).isSameAs(a);
        for (int i = 0; i < 100; i++) {
            cache.get("fory", List.of("d" + i + ".*"));
            assertThat(cache.size()).isLessThanOrEqualTo(3);
        }
        assertThat(cache.get("fory", List.of("a.*"))).as("dropped, then created again").isNotSameAs(a);
    }

    @Test
    void aSerializerThatCannotBeCreatedIsNotKept() {
        assertThatThrownBy(() -> cache.get("broken", List.of())).hasMessageContaining("cannot create broken");
        assertThat(cache.size()).isZero();
    }
}

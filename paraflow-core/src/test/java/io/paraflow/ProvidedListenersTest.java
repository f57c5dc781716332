package io.paraflow;

import io.paraflow.event.ListenerProvider;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Listeners that {@link ListenerProvider}s add to every flow when the system property asks for them. */
@ExtendWith(NoLeakedThreads.class)
class ProvidedListenersTest {
    /** Every task end any "recording" listener heard, as "flow id:task name". */
    private static final Queue<String> HEARD = new ConcurrentLinkedQueue<>();

    /** Provides listeners named "recording" (found through this module's test META-INF/services). */
    public static final class RecordingProvider implements ListenerProvider {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public TaskListener create() {
            return (task, step, attempt, worker, epochNanos, error) -> {
                if (step == TaskEvent.Kind.FINISHED) {
                    HEARD.add(task.flowId() + ":" + task.name());
                }
            };
        }
    }

    /** Refuses its configuration, as a provider with a bad system property does. */
    public static final class RefusingProvider implements ListenerProvider {
        @Override
        public String name() {
            return "refusing";
        }

        @Override
        public TaskListener create() {
            throw new IllegalArgumentException("paraflow.refusing.file is not set; set it to a new file");
        }
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(ListenerProvider.PROPERTY);
        HEARD.clear();
    }

    @Test
    void everyFlowGetsItsOwnProvidedListenerBesideItsOwnListeners() throws Exception {
        System.setProperty(ListenerProvider.PROPERTY, "recording");
        Queue<String> own = new ConcurrentLinkedQueue<>();
        long first;
        long second;
        try (Flow flow = Flow.builder().threads(1).listener(TaskListener.ofEvents(e -> {
            if (e.kind() == TaskEvent.Kind.FINISHED) {
                own.add(e.taskName());
            }
        })).build()) {
            first = flow.id();
            flow.task("one").submit(() -> 1).get();
        }
        try (Flow flow = Flow.local()) {
            second = flow.id();
            flow.task("two").submit(() -> 2).get();
        }
        assertThat(HEARD).containsExactly(first + ":one", second + ":two");
        assertThat(own).containsExactly("one");
    }

    @Test
    void withoutThePropertyNoListenerIsAdded() throws Exception {
        try (Flow flow = Flow.local()) {
            flow.task("unheard").submit(() -> 1).get();
        }
        assertThat(HEARD).isEmpty();
    }

    @Test
    void aNameNoProviderHasFailsTheBuildSayingWhatToChange() {
        System.setProperty(ListenerProvider.PROPERTY, "recording, monitoring");
        assertThatThrownBy(() -> Flow.builder().build()).isInstanceOf(ParaflowException.class)
                .hasMessageContaining(ListenerProvider.PROPERTY).hasMessageContaining("'monitoring'")
                .hasMessageContaining("paraflow-monitor").hasMessageContaining("available: ");
    }

    @Test
    void aProviderThatRefusesItsConfigurationFailsTheBuildWithItsMessage() {
        System.setProperty(ListenerProvider.PROPERTY, "refusing");
        assertThatThrownBy(() -> Flow.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("paraflow.refusing.file is not set; set it to a new file");
        assertThat(List.copyOf(HEARD)).isEmpty();
    }
}

package io.paraflow;

import io.paraflow.exec.ExecutorProvider;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.exec.ThreadExecutor;
import org.junit.jupiter.api.AfterEach;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Executors that {@link ExecutorProvider}s add to every flow when the system property asks for them. */
@ExtendWith(NoLeakedThreads.class)
class ProvidedExecutorsTest {
    private static final AtomicInteger CREATED = new AtomicInteger();

    /** Provides executors labelled "provided" (found through this module's test META-INF/services). */
    public static final class CountingProvider implements ExecutorProvider {
        @Override
        public String label() {
            return "provided";
        }

        @Override
        public TaskExecutor create() {
            CREATED.incrementAndGet();
            return ThreadExecutor.create("provided", 1, 1L << 20);
        }
    }

    /** Breaks the contract: asked for "mislabelled", creates an executor labelled otherwise. */
    public static final class MislabellingProvider implements ExecutorProvider {
        @Override
        public String label() {
            return "mislabelled";
        }

        @Override
        public TaskExecutor create() {
            return ThreadExecutor.create("other", 1, 1L << 20);
        }
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(ExecutorProvider.PROPERTY);
    }

    @Test
    void theLabelledExecutorIsAddedToEveryFlowWhenThePropertyAsksForIt() throws Exception {
        System.setProperty(ExecutorProvider.PROPERTY, "provided");
        int before = CREATED.get();
        try (Flow flow = Flow.local()) {
            String thread = flow.task("where").on("provided").submit(() -> Thread.currentThread().getName()).get();
            assertThat(thread).contains("provided");
        }
        try (Flow flow = Flow.builder().threads(1).build()) {
            assertThat(flow.task("again").on("provided").submit(() -> 42).get()).isEqualTo(42);
        }
        assertThat(CREATED.get() - before).isEqualTo(2);
    }

    @Test
    void aFlowThatHasAnExecutorWithTheLabelKeepsItsOwn() throws Exception {
        System.setProperty(ExecutorProvider.PROPERTY, "provided");
        int before = CREATED.get();
        try (Flow flow = Flow.builder().executor(ThreadExecutor.create("provided", 1, 1L << 20)).build()) {
            assertThat(flow.task("own").on("provided").submit(() -> 1).get()).isEqualTo(1);
        }
        assertThat(CREATED.get()).isEqualTo(before);
    }

    @Test
    void withoutThePropertyNoProviderIsAsked() {
        int before = CREATED.get();
        try (Flow flow = Flow.local()) {
            assertThatThrownBy(() -> flow.task("nowhere").on("provided").submit(() -> 1))
                    .hasMessageContaining("provided");
        }
        assertThat(CREATED.get()).isEqualTo(before);
    }

    @Test
    void aLabelNoProviderSuppliesFailsTheBuildSayingWhatToChange() {
        System.setProperty(ExecutorProvider.PROPERTY, "provided, cluster");
        int before = CREATED.get();
        assertThatThrownBy(() -> Flow.builder().build()).isInstanceOf(ParaflowException.class)
                .hasMessageContaining(ExecutorProvider.PROPERTY).hasMessageContaining("'cluster'")
                .hasMessageContaining("paraflow-cluster").hasMessageContaining("available: provided");
        assertThat(CREATED.get() - before).as("the executor created before the failure, then closed").isEqualTo(1);
    }

    @Test
    void aProviderThatCreatesAnotherLabelFailsTheBuild() {
        System.setProperty(ExecutorProvider.PROPERTY, "mislabelled");
        assertThatThrownBy(() -> Flow.builder().build()).isInstanceOf(ParaflowException.class)
                .hasMessageContaining("'mislabelled'").hasMessageContaining("'other'");
    }
}

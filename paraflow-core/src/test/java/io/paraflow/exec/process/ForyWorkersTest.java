package io.paraflow.exec.process;

import io.paraflow.Flow;
import io.paraflow.RemoteTaskException;
import io.paraflow.Task;
import io.paraflow.TaskFailedException;
import io.paraflow.internal.ChildEnvironment;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.SerializationException;
import io.paraflow.testing.ProcessLeaks;
import org.example.tasks.Measurement;
import org.example.tasks.Scaling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Worker processes with {@link ForySerializer}: values, lambdas, failures and the allow-list end to end. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ForyWorkersTest {

    private Flow flow;

    @BeforeAll
    void startFlow() {
        flow = Flow.builder().threads(2).executor(ProcessExecutor.builder().label("fory").workers(2).forwardStderr(false)
                .serializer(ForySerializer.Factory.class).build()).build();
    }

    @AfterAll
    void closeFlowAndCheckNothingIsLeft() {
        flow.close();
        ProcessLeaks.assertNoneLeft();
    }

    /** Not Serializable: Fory carries it anyway. */
    static final class Samples {
        final List<Double> values = new ArrayList<>();
    }

    @Test
    void workerProcessesDoNotInheritTheClusterSecret() throws Exception {
        assertThat(System.getenv(ChildEnvironment.SECRET_VARIABLE)).as("set for this test by the build").isNotNull();
        Task<String> secret = flow.task("secret").on("fory").submit(() -> String.valueOf(
                System.getenv(ChildEnvironment.SECRET_VARIABLE)));
        assertThat(secret.get()).isEqualTo("null");
    }

    @Test
    void valuesLambdasAndDependenciesTravel() throws Exception {
        Samples samples = new Samples();
        samples.values.add(1.5);
        samples.values.add(2.5);
        double scale = 2;
        Task<Samples> scaled = flow.task("scale").on("fory").submit(s -> {
            Samples out = new Samples();
            s.values.forEach(v -> out.values.add(v * scale));
            return out;
        }, flow.value(samples));
        Task<Double> sum = flow.submit(s -> s.values.stream().mapToDouble(Double::doubleValue).sum(), scaled);
        Task<Long> where = flow.task("where").on("fory").submit(x -> ProcessHandle.current().pid(), sum);

        assertThat(sum.get()).isEqualTo(8.0);
        assertThat(where.get()).isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void failuresKeepTheirTypeMessageFramesAndCause() {
        Task<Integer> failing = flow.task("failing").on("fory").submit(x -> {
            throw new IllegalStateException("bad " + x, new ArithmeticException("overflow"));
        }, flow.value(1));

        assertThatThrownBy(failing::get).cause().isInstanceOf(TaskFailedException.class).cause()
                .isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                    assertThat(e).hasToString("java.lang.IllegalStateException: bad 1");
                    assertThat(e.getStackTrace()).anySatisfy(frame ->
                            assertThat(frame.getClassName()).startsWith(ForyWorkersTest.class.getName()));
                    assertThat(((RemoteTaskException) e.getCause()).remoteType()).isEqualTo("java.lang.ArithmeticException");
                });
    }

    @Test
    void aKnownArgumentOutsideTheAllowListIsRefusedAtSubmitNamingTheType() {
        assertThatThrownBy(() -> flow.task("measure").on("fory").submit(Measurement::value,
                flow.value(new Measurement("height", 1.8))))
                .isInstanceOfSatisfying(SerializationException.class, e -> {
                    assertThat(e.type()).isEqualTo(Measurement.class.getName());
                    assertThat(e).hasMessageContaining("'measure'").hasMessageContaining("argument 1")
                            .hasMessageContaining("'org.example.tasks.**'");
                });
        assertThatThrownBy(() -> flow.task("measure").on("fory").submit(m -> m.length,
                flow.value(new Measurement[] {new Measurement("height", 1.8)})))
                .isInstanceOf(SerializationException.class).hasMessageContaining(Measurement.class.getName());
    }

    @Test
    void anArgumentOutsideTheAllowListFromADependencyFailsItsTaskWhenSentNamingTheType() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<Measurement> measured = flow.task("measured").submit(() -> {
            release.await();
            return new Measurement("height", 1.8);
        });
        // submitted while "measured" still runs, so its value is not known at submit
        Task<Double> refused = flow.task("measure").on("fory").submit(Measurement::value, measured);
        release.countDown();
        Task<String> sibling = flow.task("sibling").on("fory").submit(() -> "unaffected");

        assertThatThrownBy(refused::get).cause().isInstanceOf(TaskFailedException.class).cause()
                .isInstanceOfSatisfying(SerializationException.class, e -> {
                    assertThat(e.type()).isEqualTo(Measurement.class.getName());
                    assertThat(e).hasMessageContaining("measure").hasMessageContaining("'org.example.tasks.**'");
                });
        assertThat(sibling.get()).isEqualTo("unaffected");
    }

    @Test
    void aFunctionOutsideTheAllowListIsRefusedAtSubmitNamingTheType() {
        assertThatThrownBy(() -> flow.task("scaling").on("fory").submit(Scaling.by(2), flow.value(3)))
                .isInstanceOfSatisfying(SerializationException.class, e -> {
                    assertThat(e.type()).isEqualTo(Scaling.class.getName());
                    assertThat(e).hasMessageContaining("'scaling'").hasMessageContaining("'org.example.tasks.**'");
                });
    }
}

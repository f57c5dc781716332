package io.paraflow.exec.process;

import io.paraflow.DependencyFailedException;
import io.paraflow.Flow;
import io.paraflow.RemoteTaskException;
import io.paraflow.ResourceRequestException;
import io.paraflow.Task;
import io.paraflow.TaskFailedException;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.SerializationException;
import io.paraflow.testing.ProcessLeaks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The process executor's behaviour when workers stay healthy: results, remote exceptions, what cannot
 * be serialized (with {@link JavaSerializer}, whose rules are the JDK's; {@link ForyWorkersTest} does the
 * same for the default serializer), mixed graphs. One flow with two workers serves every test of the class (a worker JVM
 * takes about half a second to start); the class checks at the end that closing it left no process
 * and no thread.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ProcessExecutorTest {

    private ProcessExecutor executor;
    private Flow flow;

    @BeforeAll
    void startFlow() {
        executor = ProcessExecutor.builder().label("isolated").workers(2).serializer(JavaSerializer.Factory.class)
                .jvmOptions("-Xmx64m", "-Dparaflow.test.option=set").environment("PARAFLOW_TEST_VARIABLE", "from the driver")
                .build();
        flow = Flow.builder().threads(2).executor(executor).build();
    }

    @AfterAll
    void closeFlowAndCheckNothingIsLeft() {
        flow.close();
        ProcessLeaks.assertNoneLeft();
    }

    /** Serializable, so it may travel; a record of io.paraflow, so it is on the default allow-list. */
    record Point(double x, double y) implements Serializable {
    }

    /** Serializable, but what it holds may not be. */
    record Holder(Object inside) implements Serializable {
    }

    /** Not serializable: it must never reach a worker. */
    static final class Opaque {
        @Override
        public String toString() {
            return "opaque";
        }
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    @Test
    void tasksRunInAnotherJvmAndTheirResultsComeBack() throws Exception {
        Task<Long> pid = flow.task("pid").on("isolated").submit(ProcessExecutorTest::pid);
        Task<Point> moved = flow.task("move").on("isolated")
                .submit((p, d) -> new Point(p.x() + d, p.y() - d), flow.value(new Point(1, 2)), flow.value(0.5));

        assertThat(pid.get()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(executor.workers()).extracting(ProcessHandle::pid).contains(pid.get());
        assertThat(moved.get()).isEqualTo(new Point(1.5, 1.5));
    }

    @Test
    void aTaskAskingForSeveralCoresHoldsThatManyWorkerSlots() throws Exception {
        assertThat(flow.task("wide").on("isolated").cores(2).submit(ProcessExecutorTest::pid).get())
                .isNotEqualTo(ProcessHandle.current().pid());
        assertThatThrownBy(() -> flow.task("too wide").on("isolated").cores(3).submit(ProcessExecutorTest::pid))
                .isInstanceOf(ResourceRequestException.class).hasMessageContaining("'isolated'");
    }

    @Test
    void workersGetTheConfiguredJvmOptionsAndEnvironment() throws Exception {
        Task<String> seen = flow.task("configuration").on("isolated")
                .submit(() -> System.getProperty("paraflow.test.option") + ", " + System.getenv("PARAFLOW_TEST_VARIABLE"));
        assertThat(seen.get()).isEqualTo("set, from the driver");
    }

    @Test
    void aGraphMixesThreadAndProcessTasksWithDependenciesBothWays() throws Exception {
        Task<Integer> local = flow.submit(() -> 3);
        Task<Integer> squared = flow.task("square").on("isolated").submit(x -> x * x, local);
        Task<Integer> back = flow.submit((x, y) -> x + y, squared, local);
        List<Task<Integer>> mapped = flow.task("tenfold").on("isolated").map(x -> x * 10, List.of(1, 2, 3));
        Task<Integer> reduced = flow.task("sum").on("isolated").reduce(Integer::sum, mapped);
        Task<String> joined = flow.task("join").on("isolated")
                .submit((a, b, c, d) -> a + "|" + b + "|" + c + "|" + d, local, squared, back, reduced);
        Task<Long> where = flow.task("where").on("isolated").submit(x -> pid(), joined);

        assertThat(joined.get()).isEqualTo("3|9|12|60");
        assertThat(flow.all(List.of(squared, back, reduced)).get()).containsExactly(9, 12, 60);
        assertThat(where.get()).isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void whatATaskPrintsDoesNotDisturbTheProtocol() throws Exception {
        Task<String> noisy = flow.task("noisy").on("isolated").submit(() -> {
            System.out.println("printed by a task to System.out");
            System.out.flush();
            return "still fine";
        });
        assertThat(noisy.get()).isEqualTo("still fine");
    }

    @Test
    void anExceptionThrownInAWorkerKeepsItsTypeMessageStackTraceAndCause() {
        Task<Integer> failing = flow.task("remote failure").on("isolated").submit(x -> {
            throw new IllegalArgumentException("bad input " + x, new UncheckedIOException(new IOException("disk gone")));
        }, flow.value(7));
        Task<Integer> dependent = flow.submit(x -> x, failing);

        assertThatThrownBy(failing::get).cause().isInstanceOfSatisfying(TaskFailedException.class, e -> {
            assertThat(e.executor()).isEqualTo("isolated");
            assertThat(e.worker()).startsWith("isolated-").contains("pid ");
            assertThat(e).hasMessageContaining("'remote failure'")
                    .hasMessageContaining("java.lang.IllegalArgumentException: bad input 7");
            RemoteTaskException remote = (RemoteTaskException) e.getCause();
            assertThat(remote.remoteType()).isEqualTo("java.lang.IllegalArgumentException");
            assertThat(remote).hasMessage("bad input 7").hasToString("java.lang.IllegalArgumentException: bad input 7");
            assertThat(remote.getStackTrace()).anySatisfy(frame ->
                    assertThat(frame.getClassName()).startsWith(ProcessExecutorTest.class.getName()));
            RemoteTaskException cause = (RemoteTaskException) remote.getCause();
            assertThat(cause.remoteType()).isEqualTo("java.io.UncheckedIOException");
            assertThat(((RemoteTaskException) cause.getCause()).remoteType()).isEqualTo("java.io.IOException");
            assertThat(cause.getCause()).hasMessage("disk gone");
        });
        assertThatThrownBy(dependent::get).cause().isInstanceOf(DependencyFailedException.class)
                .hasMessageContaining("remote failure");
    }

    @Test
    void aNonSerializableArgumentKnownAtSubmitFailsTheSubmitNamingTheType() {
        assertThatThrownBy(() -> flow.task("opaque arg").on("isolated").submit(Object::toString, flow.value(new Opaque())))
                .isInstanceOfSatisfying(SerializationException.class, e -> {
                    assertThat(e.type()).isEqualTo(Opaque.class.getName());
                    assertThat(e).hasMessageContaining("'opaque arg'").hasMessageContaining("argument 1")
                            .hasMessageContaining(Opaque.class.getName() + " does not implement java.io.Serializable");
                });
    }

    @Test
    void aFunctionCapturingSomethingNotSerializableFailsTheSubmitNamingTheType() {
        Opaque captured = new Opaque();

        assertThatThrownBy(() -> flow.task("capturing").on("isolated").submit(() -> captured.toString()))
                .isInstanceOfSatisfying(SerializationException.class, e -> {
                    assertThat(e.type()).isEqualTo(Opaque.class.getName());
                    assertThat(e).hasMessageContaining("'capturing'").hasMessageContaining("function");
                });
    }

    @Test
    void aNonSerializableValueFromADependencyFailsOnlyThatTaskWhenItIsSent() throws Exception {
        CountDownLatch submitted = new CountDownLatch(1);
        Task<Opaque> producer = flow.submit(() -> {
            submitted.await();
            return new Opaque();
        });
        Task<String> consumer = flow.task("consumer").on("isolated").submit(Object::toString, producer);
        Task<String> sibling = flow.task("sibling").on("isolated").submit(() -> "unaffected");
        submitted.countDown();

        assertThatThrownBy(consumer::get).cause().isInstanceOf(TaskFailedException.class).cause()
                .isInstanceOfSatisfying(SerializationException.class, e -> {
                    assertThat(e.type()).isEqualTo(Opaque.class.getName());
                    assertThat(e).hasMessageContaining("consumer");
                });
        assertThat(sibling.get()).isEqualTo("unaffected");
    }

    @Test
    void somethingNotSerializableInsideAnArgumentFailsItsTaskNamingTheType() {
        Task<String> task = flow.task("holder").on("isolated").submit(Holder::toString, flow.value(new Holder(new Opaque())));

        assertThatThrownBy(task::get).cause().cause().isInstanceOfSatisfying(SerializationException.class,
                e -> assertThat(e.type()).isEqualTo(Opaque.class.getName()));
    }

    @Test
    void aResultThatCannotBeSerializedFailsNamingTheType() {
        Task<Object> task = flow.task("opaque result").on("isolated").submit(Opaque::new);

        assertThatThrownBy(task::get).cause().isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                    assertThat(e.remoteType()).isEqualTo(SerializationException.class.getName());
                    assertThat(e).hasMessageContaining(Opaque.class.getName());
                });
    }

    @Test
    void classesOutsideTheAllowListAreRefusedAtSubmitAndNeverDeserializedOnEitherSide() {
        assertThatThrownBy(() -> flow.task("uri argument").on("isolated")
                .submit(URI::toString, flow.value(URI.create("https://example.org"))))
                .isInstanceOfSatisfying(SerializationException.class, e -> assertThat(e.type()).isEqualTo("java.net.URI"));

        Task<URI> resultOutside = flow.task("uri result").on("isolated").submit(() -> URI.create("https://example.org"));
        assertThatThrownBy(resultOutside::get).cause().cause().isInstanceOfSatisfying(SerializationException.class, e -> {
            assertThat(e.type()).isEqualTo("java.net.URI");
            assertThat(e).hasMessageContaining("allow-list").hasMessageContaining("'java.net.**'");
        });

        // inside an allowed holder it passes the driver's check on the holder, and the worker refuses it
        Task<String> nestedOutside = flow.task("nested uri").on("isolated")
                .submit(Holder::toString, flow.value(new Holder(URI.create("https://example.org"))));
        assertThatThrownBy(nestedOutside::get).cause().cause().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
            assertThat(e.remoteType()).isEqualTo(SerializationException.class.getName());
            assertThat(e).hasMessageContaining("java.net.URI").hasMessageContaining("allow-list");
        });
    }

    @Test
    void anAllowedPackageLetsItsClassesThrough() throws Exception {
        try (Flow other = Flow.builder().threads(1)
                .executor(ProcessExecutor.builder().label("allowing").workers(1).serializer(JavaSerializer.Factory.class)
                        .allow("java.net.URI").build()).build()) {
            Task<String> host = other.task("host").on("allowing").submit(URI::getHost, other.value(URI.create("https://example.org")));
            assertThat(host.get()).isEqualTo("example.org");
        }
    }
}

package io.paraflow.monitor;

import io.paraflow.RemoteTaskException;
import io.paraflow.TaskFailedException;
import io.paraflow.monitor.store.FailureRow;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failure's row names what the task's function threw: in this JVM its class, in another (worker processes,
 * cluster members: their exceptions reach the driver as {@link RemoteTaskException}) the original's class.
 */
class ErrorRecordsTest {

    @Test
    void anErrorThrownInAnotherJvmIsRecordedWithItsOriginalTypeMessageAndTrace() {
        IllegalStateException original = new IllegalStateException("proc failure 3",
                new UncheckedIOException("disk gone", new java.io.IOException("disk gone")));
        RemoteTaskException remote = RemoteTaskException.capture(original);
        FailureRow row = ErrorRecords.of(7, 2, "failed",
                new TaskFailedException(7, "sim", "cluster", "10.0.0.7:5701", 2, remote));

        assertThat(row.type()).isEqualTo("java.lang.IllegalStateException");
        assertThat(row.message()).isEqualTo("proc failure 3");
        assertThat(row.stackTrace()).startsWith("java.lang.IllegalStateException: proc failure 3")
                .contains("Caused by: java.io.UncheckedIOException: disk gone")
                .contains("ErrorRecordsTest.anErrorThrownInAnotherJvmIsRecordedWithItsOriginalTypeMessageAndTrace");
        assertThat(row.stderrTail()).isNull();
        assertThat(row.stdoutTail()).isNull();

        // a try that will be retried: its listeners get the error itself
        FailureRow retried = ErrorRecords.of(7, 1, "retried", remote);
        assertThat(retried.type()).isEqualTo("java.lang.IllegalStateException");
        assertThat(retried.message()).isEqualTo("proc failure 3");
    }

    @Test
    void aRemoteErrorWithoutItsTypeIsRecordedAsARemoteTaskException() {
        RemoteTaskException remote = new RemoteTaskException(null, "no type", new StackTraceElement[0], null);
        FailureRow row = ErrorRecords.of(3, 1, "failed",
                new TaskFailedException(3, "sim", "cluster", "10.0.0.7:5701", 1, remote));

        assertThat(row.type()).isEqualTo(RemoteTaskException.class.getName());
        assertThat(row.message()).isEqualTo("no type");
    }

    @Test
    void anErrorThrownHereIsRecordedWithItsClass() {
        FailureRow row = ErrorRecords.of(1, 1, "retried",
                new TaskFailedException(1, "load", "threads", "paraflow-threads-1", 1, new IllegalArgumentException("bad")));

        assertThat(row.type()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(row.message()).isEqualTo("bad");
    }
}

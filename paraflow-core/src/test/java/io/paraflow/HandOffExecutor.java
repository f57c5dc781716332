package io.paraflow;

import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.Resources;
import io.paraflow.exec.TaskExecutor;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * An executor that runs nothing itself: it hands each ready task to the test, which looks at what an
 * out-of-process executor would ship ({@link ReadyTask#invocation()}) and then runs or abandons it.
 */
final class HandOffExecutor implements TaskExecutor {
    private final String label;
    private final BlockingQueue<ReadyTask> handed = new LinkedBlockingQueue<>();

    HandOffExecutor(String label) {
        this.label = label;
    }

    /** The next task handed to this executor, waiting for it within the hang guard. */
    ReadyTask take() throws InterruptedException {
        ReadyTask task = handed.poll(Sync.WAIT_SECONDS, TimeUnit.SECONDS);
        if (task == null) {
            fail("no task was handed to executor '" + label + "' within the hang guard");
        }
        return task;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Resources capacity() {
        return new Resources(4, 1L << 30, 0);
    }

    @Override
    public void execute(ReadyTask task) {
        handed.add(task);
    }

    @Override
    public void interruptAll() {
    }

    @Override
    public void close() {
    }
}

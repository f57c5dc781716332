package io.paraflow.monitor;

import io.paraflow.event.TaskInfo;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks that nothing keeps tasks alive any more: what the monitor must not keep once it is done with them. */
final class Collected {

    private Collected() {
    }

    /** Collects garbage until the tasks are collected, or fails naming the ids of those still kept after 100 tries. */
    static void assertCollected(List<WeakReference<TaskInfo>> tasks) throws InterruptedException {
        for (int i = 0; i < 100 && tasks.stream().anyMatch(task -> task.get() != null); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(tasks.stream().map(Reference::get).filter(Objects::nonNull).map(TaskInfo::id).toList())
                .as("the ids of the tasks still kept").isEmpty();
    }
}

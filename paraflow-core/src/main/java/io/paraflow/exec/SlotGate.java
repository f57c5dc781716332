package io.paraflow.exec;

import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Admission of tasks that ask for more than one core or for memory: a task starts only when the cores
 * and memory it asks for are free; waiting tasks are admitted by priority, then in arrival order, and
 * the first waiting task that does not fit blocks those behind it, so large tasks are not starved.
 * Guarded by its monitor: only tasks with such requests pass here.
 */
final class SlotGate {
    private final PriorityQueue<ReadyTask> waiting = new PriorityQueue<>(PriorityLane.ORDER);
    private final Consumer<ReadyTask> start;
    private int freeCores;
    private long freeMemory;

    SlotGate(Resources capacity, Consumer<ReadyTask> start) {
        this.freeCores = capacity.cores();
        this.freeMemory = capacity.memoryBytes();
        this.start = start;
    }

    void offer(ReadyTask task) {
        synchronized (this) {
            waiting.add(task);
        }
        admit();
    }

    void release(ReadyTask task) {
        synchronized (this) {
            freeCores += task.resources().cores();
            freeMemory += task.resources().memoryBytes();
        }
        admit();
    }

    private void admit() {
        while (true) {
            ReadyTask admitted;
            synchronized (this) {
                admitted = waiting.peek();
                if (admitted == null || admitted.resources().cores() > freeCores
                        || admitted.resources().memoryBytes() > freeMemory) {
                    return;
                }
                waiting.poll();
                freeCores -= admitted.resources().cores();
                freeMemory -= admitted.resources().memoryBytes();
            }
            start.accept(admitted);
        }
    }
}

package io.paraflow.cache;

import io.paraflow.cache.internal.CheckpointStore;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks into and cleans a checkpoint store written by flows built with
 * {@code Flow.builder().checkpoints(directory)}. What {@code paraflow checkpoints} runs.
 */
public final class Checkpoints {

    private Checkpoints() {
    }

    /**
     * One task result a store holds.
     *
     * @param name       the task's name
     * @param version    its version label ("" when none)
     * @param failure    whether it is a recorded failure rather than a value
     * @param finishedAt when the task finished
     * @param bytes      the size of the recorded result
     * @param key        the task's fingerprint, in hex
     */
    public record Checkpoint(String name, String version, boolean failure, Instant finishedAt, int bytes, String key) {
    }

    /**
     * The results the store in {@code directory} holds, in the order they were recorded (the latest per
     * task key). Safe while a run writes to the store; records it has not written yet are missing.
     *
     * @throws NoSuchFileException if there is no store in {@code directory}
     * @throws IOException         if the store cannot be read or is not a checkpoint store
     */
    public static List<Checkpoint> list(Path directory) throws IOException {
        List<Checkpoint> list = new ArrayList<>();
        for (CheckpointStore.Entry e : CheckpointStore.read(directory)) {
            list.add(new Checkpoint(e.name(), e.version(), e.kind() == CheckpointStore.Kind.FAILURE,
                    Instant.ofEpochMilli(e.finishedAt()), e.length(), e.key().toString()));
        }
        return list;
    }

    /**
     * Deletes the store in {@code directory}, so the next run computes everything.
     *
     * @throws NoSuchFileException if there is no store in {@code directory}
     * @throws IOException         if a run is using the store, or its files cannot be deleted
     */
    public static void clean(Path directory) throws IOException {
        CheckpointStore.clean(directory);
    }
}

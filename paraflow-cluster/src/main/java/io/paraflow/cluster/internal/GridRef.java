package io.paraflow.cluster.internal;

import java.io.Serializable;

/**
 * Where a task result kept in the data grid is: what travels to a worker in place of the value, inside the
 * invocation of a task that takes it as an argument (see {@link ResultStore}).
 *
 * @param driver     the driver member's UUID: its run's map
 * @param key        the key of the attempt that computed the value, in that map
 * @param size       the size of the serialized value, in bytes
 * @param workerUuid the member UUID of the worker that computed it (and keeps a copy in its memory)
 * @param worker     that worker's name, for messages
 * @param taskId     the id of the task that computed it, for messages
 * @param task       the name of the task that computed it, for messages
 */
public record GridRef(String driver, long key, long size, String workerUuid, String worker, long taskId, String task)
        implements Serializable {
}

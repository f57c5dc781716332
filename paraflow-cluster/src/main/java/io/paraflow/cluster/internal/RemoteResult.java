package io.paraflow.cluster.internal;

import io.paraflow.exec.Invocation;
import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.RemoteValue;
import io.paraflow.serial.Serializer;

import java.util.UUID;

/**
 * The driver's handle to a result kept in the data grid ({@link ResultStore}): the flow fetches it through
 * the driver's store and serializer when something here needs the value, and tasks sent to workers carry its
 * {@link GridRef} instead ({@link #forWorkers}). Its grid entry is deleted once the handle is unreachable.
 */
public final class RemoteResult extends RemoteValue {
    private final GridRef ref;
    private final UUID worker;
    private final ResultStore store;
    private final Serializer serializer;

    /** The handle to the result {@code producer} left in {@code store} under {@code ref}. */
    public RemoteResult(ReadyTask producer, GridRef ref, ResultStore store, Serializer serializer) {
        super(producer, ref.worker(), ref.size());
        this.ref = ref;
        this.worker = UUID.fromString(ref.workerUuid());
        this.store = store;
        this.serializer = serializer;
        store.deleteWhenUnreachable(this, ref);
    }

    /** Whether the value is in {@code store}: a worker of that store's driver can read it where it runs. */
    public boolean isIn(ResultStore store) {
        return this.store == store;
    }

    /** The member UUID of the worker that computed the value and keeps a copy. */
    public UUID worker() {
        return worker;
    }

    /** {@code invocation} with each handle among its arguments replaced by its {@link GridRef}. */
    public static Invocation forWorkers(Invocation invocation) {
        Object[] arguments = invocation.arguments();
        boolean kept = false;
        for (int i = 0; i < arguments.length; i++) {
            if (arguments[i] instanceof RemoteResult handle) {
                arguments[i] = handle.ref;
                kept = true;
            }
        }
        return kept ? new Invocation(invocation.function(), arguments) : invocation;
    }

    @Override
    protected Object load() {
        return store.read(ref, serializer);
    }
}

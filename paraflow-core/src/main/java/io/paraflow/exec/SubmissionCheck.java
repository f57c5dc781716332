package io.paraflow.exec;

import io.paraflow.serial.SerializationException;
import io.paraflow.serial.Serializer;

import java.util.List;

/**
 * The {@link TaskExecutor#checkSubmission} of executors that ship tasks out of the JVM (worker processes,
 * the cluster): refuses at submission what cannot reach a worker, so that the mistake shows at the line
 * that made it. A function that does not survive a round trip through the serializer (it captures
 * something not serializable, or its class is not allowed) is refused, and checked once per function
 * object; so is an argument value known now whose own class the serializer refuses (what it refers to is
 * checked when the task is sent, failing that task).
 *
 * <p>Thread-safe.
 */
public final class SubmissionCheck {
    private final Serializer serializer;
    private final String executor;
    private final String destination;
    /** The last function that passed: a function submitted many times is checked once. */
    private volatile Object lastAcceptedFunction;

    /**
     * A check with {@code serializer} for the executor labelled {@code executor}, whose tasks go to
     * {@code destination} (e.g. "a worker process"; for messages).
     */
    public SubmissionCheck(Serializer serializer, String executor, String destination) {
        this.serializer = serializer;
        this.executor = executor;
        this.destination = destination;
    }

    /**
     * Checks a task about to be submitted; see {@link TaskExecutor#checkSubmission}.
     *
     * @throws SerializationException naming the task and the type at fault
     */
    public void check(String taskName, Object function, List<Object> knownArguments) {
        if (function != lastAcceptedFunction) {
            try {
                byte[] bytes = serializer.toBytes(function);
                serializer.fromBytes(bytes, 0, bytes.length);
            } catch (SerializationException e) {
                throw new SerializationException(e.type(), "task '" + taskName + "' cannot run on executor '" + executor
                        + "': its function cannot be sent to " + destination + ": " + e.getMessage(), e);
            }
            lastAcceptedFunction = function;
        }
        for (int i = 0; i < knownArguments.size(); i++) {
            Object value = knownArguments.get(i);
            String refused = value == null ? null : serializer.refuses(value.getClass());
            if (refused != null) {
                throw new SerializationException(value.getClass().getName(), "task '" + taskName + "' cannot run on executor '"
                        + executor + "': argument " + (i + 1) + " cannot be sent to " + destination + ": " + refused, null);
            }
        }
    }
}

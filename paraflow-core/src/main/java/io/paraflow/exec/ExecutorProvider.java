package io.paraflow.exec;

/**
 * Supplies an executor that every flow the program builds receives without asking for it, so that a
 * launcher can give an unchanged program more places to run its tasks: {@code paraflow run --cluster}
 * adds a cluster executor this way. Implementations are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.paraflow.exec.ExecutorProvider}) and must have a public no-argument
 * constructor.
 *
 * <p>{@link io.paraflow.FlowBuilder#build()} consults providers only when the system property
 * {@value #PROPERTY} is set: it lists, comma-separated, the labels of the executors every flow gets. For
 * each label the flow does not already have (an executor the program added itself wins), {@code build()}
 * calls {@link #create()} of the provider with that {@link #label()}, and the flow owns and closes the
 * executor like one added with {@link io.paraflow.FlowBuilder#executor}. Without the property nothing is
 * loaded and flows are built as before.
 */
public interface ExecutorProvider {

    /** The system property listing the labels of the provided executors that every flow gets. */
    String PROPERTY = "paraflow.executors";

    /** The label of the executors this provider creates. */
    String label();

    /**
     * Creates an executor labelled {@link #label()}, configured from system properties or the environment
     * (each provider documents its own). Called on the thread that builds the flow, once per flow; may
     * block while the executor connects to its workers.
     *
     * @throws RuntimeException if the configuration is missing or wrong, with a message that says what to change
     */
    TaskExecutor create();
}

package io.paraflow.event;

/**
 * Supplies a listener that every flow the program builds receives without asking for it, so that a
 * launcher can watch an unchanged program: {@code paraflow run} adds monitoring (progress line, database,
 * dashboard) this way. Implementations are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.paraflow.event.ListenerProvider}) and must have a public no-argument
 * constructor.
 *
 * <p>{@link io.paraflow.FlowBuilder#build()} consults providers only when the system property
 * {@value #PROPERTY} is set: it lists, comma-separated, the names of the providers whose listener every flow
 * gets. For each name, {@code build()} calls {@link #create()} of the provider with that {@link #name()}
 * and adds the listener after those the program added itself. Without the property nothing is loaded and
 * flows are built as before. (The executors' counterpart is {@link io.paraflow.exec.ExecutorProvider}.)
 */
public interface ListenerProvider {

    /** The system property listing the names of the providers whose listener every flow gets. */
    String PROPERTY = "paraflow.listeners";

    /** The name the property uses for this provider. */
    String name();

    /**
     * Creates the listener for one new flow, configured from system properties (each provider documents
     * its own). Called on the thread that builds the flow, once per flow.
     *
     * @throws RuntimeException if the configuration is wrong, with a message that says what to change
     */
    TaskListener create();
}

/**
 * Exports of a recorded run: {@link io.paraflow.monitor.trace.ChromeTrace} (Perfetto, chrome://tracing) and
 * {@link io.paraflow.monitor.trace.TaskGraphDot} (Graphviz). Both read a run database.
 */
package io.paraflow.monitor.trace;

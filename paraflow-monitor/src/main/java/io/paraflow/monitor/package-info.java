/**
 * Seeing a run. {@link io.paraflow.monitor.Monitoring} is the entry point: a task listener that records a
 * flow in a monitoring database ({@code store}) and shows its progress ({@code progress}). The database
 * feeds the exports ({@code trace}: Chrome trace, DOT graph); {@code jfr} emits Flight Recorder events.
 */
package io.paraflow.monitor;

/**
 * The progress line of a run: {@link io.paraflow.monitor.progress.ProgressLine} renders
 * {@link io.paraflow.monitor.progress.Progress} counts, in place on a terminal, sparsely in logs.
 */
package io.paraflow.monitor.progress;

/**
 * Java Flight Recorder events for task tries ({@link io.paraflow.monitor.jfr.JfrTaskEvents}), so that JDK
 * Mission Control shows a run's tasks beside GC, locks and I/O.
 */
package io.paraflow.monitor.jfr;

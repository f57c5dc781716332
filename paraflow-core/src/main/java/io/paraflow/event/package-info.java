/**
 * Task lifecycle steps for monitoring, progress and tracing. A {@link io.paraflow.event.TaskListener}
 * receives each step as one call with primitive arguments and a {@link io.paraflow.event.TaskInfo} view of
 * the task, so observing allocates nothing; {@link io.paraflow.event.TaskListener#ofEvents} turns the steps
 * into immutable {@link io.paraflow.event.TaskEvent}s for observers that keep them. When no listener is
 * registered the runtime does no work for them.
 */
package io.paraflow.event;

/**
 * Task lifecycle events for monitoring, progress and tracing. Events are immutable values so that
 * observers can keep them, batch them and send them elsewhere; when no listener is registered the
 * runtime does not create them.
 */
package io.paraflow.event;

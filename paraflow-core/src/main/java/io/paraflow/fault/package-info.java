/**
 * Fault tolerance: retry policies that weigh each failure and decide to retry now, later, or give up.
 */
package io.paraflow.fault;

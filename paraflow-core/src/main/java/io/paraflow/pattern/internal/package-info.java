/**
 * Implementation of the patterns: {@code Assembly} turns blocks into nodes and channels, {@code Node} runs
 * one node on its thread, {@code SpscRing} and {@code UnboundedChannel} carry items, {@code Routing}
 * chooses targets, {@code Run} owns the threads and the first failure. Not an API: may change at any time.
 */
package io.paraflow.pattern.internal;

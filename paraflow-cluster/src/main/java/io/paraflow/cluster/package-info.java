/**
 * Distributed execution on Hazelcast: workers on many machines run a flow's tasks chosen by label, beside
 * the local executors. See the module README for how to start workers and what the security layer
 * protects.
 */
package io.paraflow.cluster;

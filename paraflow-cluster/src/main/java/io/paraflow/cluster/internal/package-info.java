/**
 * The cluster's machinery, not API: how members start Hazelcast ({@link io.paraflow.cluster.internal.Hazelcasts}),
 * the one message type Hazelcast carries ({@link io.paraflow.cluster.internal.Envelope}), where every payload is
 * sealed and opened ({@link io.paraflow.cluster.internal.Envelopes}), the layout of task and result batches
 * ({@link io.paraflow.cluster.internal.Batches}) and the placement of tasks on workers
 * ({@link io.paraflow.cluster.internal.Placement}). Public only because {@code io.paraflow.cluster} and the
 * benchmarks use them.
 */
package io.paraflow.cluster.internal;

/**
 * The cluster's machinery, not API: how members start Hazelcast ({@link io.paraflow.cluster.internal.Hazelcasts}),
 * the one message type Hazelcast carries ({@link io.paraflow.cluster.internal.Envelope}), where every payload is
 * sealed and opened ({@link io.paraflow.cluster.internal.Envelopes}), the layout of task and result batches
 * ({@link io.paraflow.cluster.internal.Batches}), the placement of tasks on workers
 * ({@link io.paraflow.cluster.internal.Placement}) and the data grid of large results
 * ({@link io.paraflow.cluster.internal.ResultStore}, {@link io.paraflow.cluster.internal.RemoteResult}). Public only because {@code io.paraflow.cluster} and the
 * benchmarks use them.
 */
package io.paraflow.cluster.internal;

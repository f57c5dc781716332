/**
 * Memoization and checkpoints: the options that let a task reuse an earlier result
 * ({@code TaskBuilder.cache}, {@code FlowBuilder.checkpoints}/{@code resume}), how user types are
 * fingerprinted ({@link io.paraflow.cache.Fingerprinter}), when checkpoints reach the disk
 * ({@link io.paraflow.cache.FlushPolicy}), and tools over a store ({@link io.paraflow.cache.Checkpoints}).
 * The machinery (fingerprints, the append-only store) is in {@code io.paraflow.cache.internal}.
 */
package io.paraflow.cache;

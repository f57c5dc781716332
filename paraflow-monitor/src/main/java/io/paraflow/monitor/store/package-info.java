/**
 * The monitoring database: one SQLite file per run, written by {@link io.paraflow.monitor.store.RunWriter}
 * from the monitor's own thread and read by {@link io.paraflow.monitor.store.RunDatabase} (exports, the
 * {@code paraflow} tools) or by any SQLite client. The tables are documented in the module README.
 */
package io.paraflow.monitor.store;

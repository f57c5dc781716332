/**
 * Worker processes: {@link io.paraflow.exec.process.ProcessExecutor} runs tasks in a pool of child JVMs
 * started with the driver's classpath. A worker runs one task at a time; the driver and a worker talk
 * over the worker's stdin and stdout in length-prefixed frames ({@code Frames}), the worker's stderr is
 * kept (its last lines explain a lost worker) and forwarded. A worker exits when its stdin ends or its
 * parent process disappears, so no worker outlives its driver. Everything but the executor and its
 * builder is package-private.
 */
package io.paraflow.exec.process;

/**
 * Executors: the {@link io.paraflow.exec.TaskExecutor} interface that runs ready tasks, the
 * {@link io.paraflow.exec.ReadyTask} it receives, and the embedded {@link io.paraflow.exec.ThreadExecutor}.
 * Worker processes and the cluster implement the same interface. An
 * {@link io.paraflow.exec.ExecutorProvider} lets a launcher add an executor to every flow of an unchanged program.
 */
package io.paraflow.exec;

package io.paraflow;

import io.paraflow.exec.ExecutorProvider;
import io.paraflow.exec.TaskExecutor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The executors {@link ExecutorProvider}s add to every flow when {@value ExecutorProvider#PROPERTY} asks for them. */
final class ProvidedExecutors {
    private ProvidedExecutors() {
    }

    /**
     * Adds to {@code executors} (by label) one executor for each label in {@value ExecutorProvider#PROPERTY}
     * that it lacks (the embedded {@value FlowBuilder#THREADS} executor is never replaced). On failure closes
     * those it created and throws.
     *
     * @throws ParaflowException if no provider supplies a requested label
     * @throws RuntimeException  what a provider threw
     */
    static void addMissing(Map<String, TaskExecutor> executors) {
        List<TaskExecutor> created = new ArrayList<>();
        try {
            for (String wanted : Providers.requested(ExecutorProvider.PROPERTY)) {
                if (wanted.equals(FlowBuilder.THREADS) || executors.containsKey(wanted)) {
                    continue;
                }
                TaskExecutor executor = Providers.find(ExecutorProvider.class, ExecutorProvider::label, wanted,
                        ExecutorProvider.PROPERTY, "an executor labelled", "label", "paraflow-cluster for 'cluster'")
                        .create();
                created.add(executor);
                if (!executor.label().equals(wanted)) {
                    throw new ParaflowException("the executor provider for '" + wanted + "' created an executor labelled '"
                            + executor.label() + "'", null);
                }
                executors.put(wanted, executor);
            }
        } catch (RuntimeException e) {
            for (TaskExecutor executor : created) {
                try {
                    executor.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }
}

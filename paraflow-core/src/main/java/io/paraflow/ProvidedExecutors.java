package io.paraflow;

import io.paraflow.exec.ExecutorProvider;
import io.paraflow.exec.TaskExecutor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

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
        String requested = System.getProperty(ExecutorProvider.PROPERTY);
        if (requested == null || requested.isBlank()) {
            return;
        }
        List<TaskExecutor> created = new ArrayList<>();
        try {
            for (String label : requested.split(",")) {
                String wanted = label.strip();
                if (wanted.isEmpty() || wanted.equals(FlowBuilder.THREADS) || executors.containsKey(wanted)) {
                    continue;
                }
                TaskExecutor executor = provider(wanted).create();
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

    private static ExecutorProvider provider(String label) {
        List<String> available = new ArrayList<>();
        for (ExecutorProvider provider : ServiceLoader.load(ExecutorProvider.class)) {
            if (provider.label().equals(label)) {
                return provider;
            }
            available.add(provider.label());
        }
        throw new ParaflowException("system property " + ExecutorProvider.PROPERTY + " asks every flow for an executor"
                + " labelled '" + label + "', but no " + ExecutorProvider.class.getName() + " on the classpath provides one"
                + (available.isEmpty() ? "" : " (available: " + String.join(", ", available) + ")")
                + "; put the module that provides it on the classpath (paraflow-cluster for 'cluster')"
                + " or remove the label from the property", null);
    }
}

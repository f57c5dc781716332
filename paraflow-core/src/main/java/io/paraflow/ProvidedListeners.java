package io.paraflow;

import io.paraflow.event.ListenerProvider;
import io.paraflow.event.TaskListener;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** The listeners {@link ListenerProvider}s add to every flow when {@value ListenerProvider#PROPERTY} asks for them. */
final class ProvidedListeners {
    private ProvidedListeners() {
    }

    /**
     * One new listener for each name in {@value ListenerProvider#PROPERTY}, in its order; none without it.
     *
     * @throws ParaflowException if no provider has a requested name
     * @throws RuntimeException  what a provider threw
     */
    static List<TaskListener> create() {
        String requested = System.getProperty(ListenerProvider.PROPERTY);
        List<TaskListener> created = new ArrayList<>();
        if (requested == null || requested.isBlank()) {
            return created;
        }
        for (String name : requested.split(",")) {
            String wanted = name.strip();
            if (!wanted.isEmpty()) {
                created.add(provider(wanted).create());
            }
        }
        return created;
    }

    private static ListenerProvider provider(String name) {
        List<String> available = new ArrayList<>();
        for (ListenerProvider provider : ServiceLoader.load(ListenerProvider.class)) {
            if (provider.name().equals(name)) {
                return provider;
            }
            available.add(provider.name());
        }
        throw new ParaflowException("system property " + ListenerProvider.PROPERTY + " asks every flow for the listener"
                + " of '" + name + "', but no " + ListenerProvider.class.getName() + " on the classpath provides one"
                + (available.isEmpty() ? "" : " (available: " + String.join(", ", available) + ")")
                + "; put the module that provides it on the classpath (paraflow-monitor for 'monitoring')"
                + " or remove the name from the property", null);
    }
}

package io.paraflow;

import io.paraflow.event.ListenerProvider;
import io.paraflow.event.TaskListener;

import java.util.ArrayList;
import java.util.List;

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
        List<TaskListener> created = new ArrayList<>();
        for (String wanted : Providers.requested(ListenerProvider.PROPERTY)) {
            ListenerProvider provider = Providers.find(ListenerProvider.class, ListenerProvider::name, wanted,
                    ListenerProvider.PROPERTY, "the listener of", "name", "paraflow-monitor for 'monitoring'");
            created.add(provider.create());
        }
        return created;
    }
}

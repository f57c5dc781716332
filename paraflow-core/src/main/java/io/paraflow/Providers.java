package io.paraflow;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * What {@link ProvidedExecutors} and {@link ProvidedListeners} share: the names a system property lists,
 * and the {@link ServiceLoader} provider that answers to one of them.
 */
final class Providers {
    private Providers() {
    }

    /** The comma-separated names in system property {@code property}, stripped, without empty ones; none if unset. */
    static List<String> requested(String property) {
        String value = System.getProperty(property);
        List<String> names = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return names;
        }
        for (String name : value.split(",")) {
            String wanted = name.strip();
            if (!wanted.isEmpty()) {
                names.add(wanted);
            }
        }
        return names;
    }

    /**
     * The provider of {@code type} on the classpath whose {@code nameOf} is {@code name}.
     *
     * @param property  the system property that asked for it, for the message
     * @param asked     what was asked for, before the quoted name ("an executor labelled")
     * @param key       what the name is called ("label")
     * @param example   the module that provides a well-known name ("paraflow-cluster for 'cluster'")
     * @throws ParaflowException naming the providers there are, if none answers to {@code name}
     */
    static <P> P find(Class<P> type, Function<P, String> nameOf, String name, String property, String asked, String key,
                      String example) {
        List<String> available = new ArrayList<>();
        for (P provider : ServiceLoader.load(type)) {
            String provided = nameOf.apply(provider);
            if (provided.equals(name)) {
                return provider;
            }
            available.add(provided);
        }
        throw new ParaflowException("system property " + property + " asks every flow for " + asked + " '" + name
                + "', but no " + type.getName() + " on the classpath provides one"
                + (available.isEmpty() ? "" : " (available: " + String.join(", ", available) + ")")
                + "; put the module that provides it on the classpath (" + example + ") or remove the " + key
                + " from the property", null);
    }
}

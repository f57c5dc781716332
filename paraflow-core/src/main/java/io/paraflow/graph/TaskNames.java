package io.paraflow.graph;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;

/**
 * Names for tasks submitted without one, derived from their function: the method a method reference
 * points to ({@code Sweep.simulate}), or the enclosing method of a lambda and a tag that tells its lambdas apart ({@code Sweep.main/lambda-7a3f1c2e}).
 * Computed once per function class, from the first instance asked about (a benign race).
 */
final class TaskNames {
    private static final ClassValue<String[]> CACHE = new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
            return new String[1];
        }
    };

    private TaskNames() {
    }

    static String of(Object function, int shape) {
        if ((shape & TaskNode.ALL) != 0) {
            return "all";
        }
        if (function == null) {
            return "value";
        }
        String[] slot = CACHE.get(function.getClass());
        String name = slot[0];
        if (name == null) {
            name = derive(function);
            slot[0] = name;
        }
        return name;
    }

    private static String derive(Object function) {
        Class<?> type = function.getClass();
        if (type.isSynthetic()) {
            try {
                Method writeReplace = type.getDeclaredMethod("writeReplace");
                writeReplace.setAccessible(true);
                if (writeReplace.invoke(function) instanceof SerializedLambda lambda) {
                    return fromLambda(lambda);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a lambda class we may not inspect: fall back to its class name below
            }
        }
        String name = type.getSimpleName();
        int lambdaMarker = name.indexOf("$$Lambda");
        return lambdaMarker > 0 ? name.substring(0, lambdaMarker) + "/lambda" : name.isEmpty() ? type.getName() : name;
    }

    private static String fromLambda(SerializedLambda lambda) {
        String owner = lambda.getImplClass();
        owner = owner.substring(owner.lastIndexOf('/') + 1);
        String method = lambda.getImplMethodName();
        if (method.startsWith("lambda$")) {
            // lambda$main$0, or for serializable lambdas lambda$main$<hash>$1: the hash tells them apart
            String[] parts = method.split("\\$");
            String enclosing = parts.length > 1 ? parts[1] : "";
            String tag = parts.length > 3 ? parts[2] : parts.length > 2 ? parts[2] : "";
            return owner + "." + enclosing + "/lambda-" + tag;
        }
        return owner + "." + method;
    }
}

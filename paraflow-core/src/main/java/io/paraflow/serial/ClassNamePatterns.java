package io.paraflow.serial;

import java.util.List;

/**
 * Allow-list patterns ({@code a.b.C}, {@code a.b.*}, {@code a.b.**}) matched against class names, for
 * serializers that see names rather than classes. An array name is matched by its element type (arrays
 * of primitives always match); a lambda's hidden class ({@code a.b.C$$Lambda$12/0x...}) by the class that
 * defines it. Immutable.
 */
final class ClassNamePatterns {
    private final List<String> patterns;

    ClassNamePatterns(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    boolean allows(String className) {
        String element = elementName(className);
        if (element == null) {
            return true;
        }
        String name = definingClass(element);
        int dot = name.lastIndexOf('.');
        String pkg = dot < 0 ? "" : name.substring(0, dot);
        for (String pattern : patterns) {
            if (pattern.endsWith(".**")) {
                String tree = pattern.substring(0, pattern.length() - 3);
                if (pkg.equals(tree) || pkg.startsWith(tree + ".")) {
                    return true;
                }
            } else if (pattern.endsWith(".*")) {
                if (pkg.equals(pattern.substring(0, pattern.length() - 2))) {
                    return true;
                }
            } else if (pattern.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The element class name of an array name ({@code [[Lx.Y;} is {@code x.Y}), null for primitives. */
    private static String elementName(String className) {
        if (!className.startsWith("[")) {
            return className;
        }
        String element = className.substring(className.lastIndexOf('[') + 1);
        return element.startsWith("L") && element.endsWith(";") ? element.substring(1, element.length() - 1) : null;
    }

    /** The class that defines a lambda, for the name of its hidden class; other names unchanged. */
    static String definingClass(String className) {
        int lambda = className.indexOf("$$Lambda");
        return lambda > 0 ? className.substring(0, lambda) : className;
    }

    /** How messages name a value of class {@code className}: "a lambda defined in X", or "a X". */
    static String describeValue(String className) {
        String defining = definingClass(className);
        return defining.equals(className) ? "a " + className : "a lambda defined in " + defining;
    }

    /** A pattern that would allow {@code className}: its package tree, or the name itself in the unnamed package. */
    static String suggestion(String className) {
        String element = elementName(className);
        if (element == null) {
            return className;
        }
        String name = definingClass(element);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot) + ".**";
    }
}

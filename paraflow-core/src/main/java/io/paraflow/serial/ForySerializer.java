package io.paraflow.serial;

import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.Language;
import org.apache.fory.exception.InsecureException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Apache Fory with an allow-list: about 2.5 times the round trips and throughput of
 * {@link JavaSerializer} for worker processes (see BENCHMARKS.md). Needs {@code org.apache.fory:fory-core}
 * 1.4 or newer on the classpath (an optional dependency of Paraflow; earlier versions let lambdas bypass
 * class checks).
 *
 * <p>What differs from {@link JavaSerializer}: classes need not implement {@link java.io.Serializable}
 * (functions must still be serializable lambdas); classes outside the allow-list ({@link #DEFAULT_ALLOWED}
 * plus the patterns given, same syntax as {@link JavaSerializer}) are refused when serializing and when
 * deserializing, except the JDK types Fory has its own serializers for (strings, boxes, arrays,
 * collections, maps, time, {@code BigDecimal}, {@code URI}...), and classes on Fory's own deny-list
 * (threads, class loaders, reflection...) are always refused. Reference tracking is on, so shared and
 * cyclic object graphs survive.
 *
 * <p>Immutable and thread-safe.
 */
public final class ForySerializer implements Serializer {

    /** What every allow-list contains besides Fory's own JDK types: Paraflow's classes. */
    public static final List<String> DEFAULT_ALLOWED = List.of("io.paraflow.**");

    /** How Fory's refusals name the class (its messages are the only place it says which). */
    private static final Pattern NAMED_CLASS = Pattern.compile(
            "[Cc]lass ([\\w.$\\[;/]+) (?:isn't in the allow list|is not registered)|([\\w.$\\[;/]+) hit disallowed list");

    private final ThreadSafeFory fory;
    private final List<String> allowList;
    private final ClassNamePatterns patterns;

    private ForySerializer(List<String> allowList, ClassLoader loader) {
        this.allowList = List.copyOf(allowList);
        ClassNamePatterns patterns = new ClassNamePatterns(allowList);
        this.patterns = patterns;
        this.fory = Fory.builder().withLanguage(Language.JAVA).withClassLoader(loader).requireClassRegistration(false)
                .withRefTracking(true)
                .withTypeChecker((resolver, className) -> patterns.allows(className)).withCodegen(false)
                .suppressClassRegistrationWarnings(true).buildThreadSafeFory();
    }

    /**
     * A serializer whose allow-list is {@link #DEFAULT_ALLOWED} plus {@code patterns}.
     *
     * @throws IllegalArgumentException if a pattern is malformed or allows everything
     */
    public static ForySerializer allowing(Collection<String> patterns) {
        return allowing(patterns, ForySerializer.class.getClassLoader());
    }

    /**
     * A serializer whose allow-list is {@link #DEFAULT_ALLOWED} plus {@code patterns}, loading the classes it
     * deserializes with {@code loader} (a cluster worker's application classes).
     *
     * @throws IllegalArgumentException if a pattern is malformed or allows everything
     */
    public static ForySerializer allowing(Collection<String> patterns, ClassLoader loader) {
        List<String> all = new ArrayList<>(DEFAULT_ALLOWED);
        for (String pattern : patterns) {
            all.add(JavaSerializer.checkPattern(pattern));
        }
        return new ForySerializer(all, loader);
    }

    /** The allow-list, defaults first. */
    public List<String> allowList() {
        return allowList;
    }

    @Override
    public byte[] toBytes(Object value) {
        try {
            return fory.serialize(value);
        } catch (RuntimeException | StackOverflowError e) {
            String type = refusedType(e);
            throw new SerializationException(type != null ? type : value.getClass().getName(), "cannot serialize "
                    + ClassNamePatterns.describeValue(value.getClass().getName()) + ": " + explain(e, type), e);
        }
    }

    @Override
    public Object fromBytes(byte[] bytes, int offset, int length) {
        byte[] whole = bytes;
        if (offset != 0 || length != bytes.length) {
            whole = new byte[length];
            System.arraycopy(bytes, offset, whole, 0, length);
        }
        try {
            return fory.deserialize(whole);
        } catch (RuntimeException | StackOverflowError e) {
            String type = refusedType(e);
            throw new SerializationException(type, "cannot deserialize " + length + " bytes: " + explain(e, type), e);
        }
    }

    /**
     * Refuses a class outside the JDK that is not on the allow-list (an array by its element type, a lambda
     * by the class that defines it). JDK classes are left to {@link #toBytes}: Fory sends those it has
     * serializers for whatever the allow-list says, and refuses those on its deny-list.
     */
    @Override
    public String refuses(Class<?> type) {
        String name = type.getName();
        if (patterns.allows(name)) {
            return null;
        }
        String defining = ClassNamePatterns.definingClass(type.isArray() ? elementOf(type).getName() : name);
        if (defining.startsWith("java.") || defining.startsWith("javax.") || defining.startsWith("jdk.")) {
            return null;
        }
        return "class " + defining + " is not on the allow-list of classes that may be serialized; allow it, e.g."
                + " with the pattern '" + ClassNamePatterns.suggestion(defining) + "'";
    }

    private static Class<?> elementOf(Class<?> array) {
        Class<?> element = array;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        return element;
    }

    /** The class named by an {@link InsecureException} in {@code e}'s causes (for a lambda, the class defining it), or null. */
    private static String refusedType(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InsecureException && t.getMessage() != null) {
                Matcher named = NAMED_CLASS.matcher(t.getMessage());
                if (named.find()) {
                    return ClassNamePatterns.definingClass(named.group(1) != null ? named.group(1) : named.group(2));
                }
            }
        }
        return null;
    }

    private static String explain(Throwable e, String refused) {
        if (refused == null) {
            return e.toString();
        }
        if (String.valueOf(e.getMessage()).contains("disallowed")) {
            return "class " + refused + " is on Fory's deny-list of classes that are never serialized";
        }
        return "class " + refused + " is not on the allow-list of classes that may be serialized; allow it, e.g. with"
                + " the pattern '" + ClassNamePatterns.suggestion(refused) + "'";
    }

    @Override
    public String toString() {
        return "ForySerializer" + allowList;
    }

    /** Makes {@link ForySerializer}s, for {@code ProcessExecutor.builder().serializer(ForySerializer.Factory.class)}. */
    public static final class Factory implements SerializerFactory {
        /**
         * The factory.
         *
         * @throws IllegalStateException if Apache Fory is not on the classpath
         */
        public Factory() {
            try {
                Class.forName("org.apache.fory.Fory", false, Factory.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("ForySerializer needs org.apache.fory:fory-core (1.4 or newer) on the"
                        + " classpath", e);
            }
        }

        @Override
        public Serializer create(List<String> allowed) {
            return allowing(allowed);
        }

        @Override
        public Serializer create(List<String> allowed, ClassLoader loader) {
            return allowing(allowed, loader);
        }
    }
}

package io.paraflow.serial;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Java serialization with an allow-list: {@link #fromBytes} rejects every class that no pattern of the
 * allow-list matches, before instantiating it. Serializable lambdas work as usual (their capturing class
 * must be allowed).
 *
 * <p>Patterns use the syntax of {@link ObjectInputFilter.Config#createFilter}: {@code com.example.Point}
 * (one class), {@code com.example.*} (the classes of a package), {@code com.example.**} (a package and its
 * subpackages). An array is checked by its element type; arrays of primitives are always allowed. The
 * allow-list always contains {@link #DEFAULT_ALLOWED}.
 *
 * <p>Immutable and thread-safe.
 */
public final class JavaSerializer implements Serializer {

    /**
     * What every allow-list contains: the JDK's value types, collections, time and big numbers,
     * serializable lambdas, and Paraflow's own classes.
     */
    public static final List<String> DEFAULT_ALLOWED = List.of("java.lang.*", "java.lang.invoke.SerializedLambda",
            "java.util.*", "java.util.concurrent.*", "java.time.*", "java.math.*", "io.paraflow.**");

    private final List<String> allowList;
    private final ObjectInputFilter patterns;
    private final ClassLoader loader;

    private JavaSerializer(List<String> allowList, ClassLoader loader) {
        this.allowList = List.copyOf(allowList);
        this.loader = loader;
        this.patterns = ObjectInputFilter.Config.createFilter(String.join(";", allowList) + ";!*");
    }

    /**
     * A serializer whose allow-list is {@link #DEFAULT_ALLOWED} plus {@code patterns}.
     *
     * @throws IllegalArgumentException if a pattern is malformed or allows everything ({@code *}, {@code **})
     */
    public static JavaSerializer allowing(Collection<String> patterns) {
        return allowing(patterns, null);
    }

    /**
     * A serializer whose allow-list is {@link #DEFAULT_ALLOWED} plus {@code patterns}, loading the classes it
     * deserializes with {@code loader} (a cluster worker's application classes); null: as
     * {@link ObjectInputStream} does by default.
     *
     * @throws IllegalArgumentException if a pattern is malformed or allows everything ({@code *}, {@code **})
     */
    public static JavaSerializer allowing(Collection<String> patterns, ClassLoader loader) {
        List<String> all = new ArrayList<>(DEFAULT_ALLOWED);
        for (String pattern : patterns) {
            all.add(checkPattern(pattern));
        }
        return new JavaSerializer(all, loader);
    }

    /**
     * Checks one allow-list pattern and returns it.
     *
     * @throws IllegalArgumentException if it is malformed or allows everything
     */
    public static String checkPattern(String pattern) {
        String p = pattern == null ? "" : pattern.strip();
        if (p.isEmpty() || p.contains(";") || p.startsWith("!") || p.contains("=") || p.contains("/")) {
            throw new IllegalArgumentException("allow-list pattern '" + pattern + "' is not a class name,"
                    + " a package ('com.example.*') or a package tree ('com.example.**')");
        }
        if (p.equals("*") || p.equals("**") || p.equals(".*") || p.equals(".**")) {
            throw new IllegalArgumentException("allow-list pattern '" + pattern + "' would allow every class;"
                    + " name the packages of your task classes instead ('com.example.**')");
        }
        ObjectInputFilter.Config.createFilter(p);
        return p;
    }

    /** The allow-list, defaults first. */
    public List<String> allowList() {
        return allowList;
    }

    @Override
    public byte[] toBytes(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new SerializationException(e.getMessage(), "cannot serialize " + describe(value) + ": "
                    + e.getMessage() + " (reached from it) does not implement java.io.Serializable", e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(value.getClass().getName(), "cannot serialize " + describe(value)
                    + ": " + e, e);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object fromBytes(byte[] bytes, int offset, int length) {
        RecordingFilter filter = new RecordingFilter(patterns);
        try (ObjectInputStream in = loader == null ? new ObjectInputStream(new ByteArrayInputStream(bytes, offset, length))
                : new LoaderInputStream(new ByteArrayInputStream(bytes, offset, length), loader)) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException e) {
            if (filter.rejected != null) {
                String type = filter.rejected.getName();
                throw new SerializationException(type, notAllowed(filter.rejected), e);
            }
            throw new SerializationException(e.classname, "cannot deserialize: " + e, e);
        } catch (ClassNotFoundException e) {
            throw new SerializationException(e.getMessage(), "cannot deserialize: class " + e.getMessage()
                    + " is not on the classpath of this JVM", e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(null, "cannot deserialize " + length + " bytes: " + e, e);
        }
    }

    /** Refuses classes that are not {@link Serializable} (arrays aside) or not on the allow-list. */
    @Override
    public String refuses(Class<?> type) {
        if (!Serializable.class.isAssignableFrom(type) && !type.isArray()) {
            return type.getName() + " does not implement java.io.Serializable";
        }
        if (patterns.checkInput(new ClassOnly(type)) == ObjectInputFilter.Status.REJECTED) {
            return notAllowed(type);
        }
        return null;
    }

    private static String notAllowed(Class<?> type) {
        return "class " + type.getName() + " is not on the allow-list of classes that may be deserialized;"
                + " allow it, e.g. with the pattern '" + ClassNamePatterns.suggestion(type.getName()) + "'";
    }

    /** What a filter sees of a class before any of its objects is read. */
    private record ClassOnly(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }

    private static String describe(Object value) {
        return ClassNamePatterns.describeValue(value.getClass().getName());
    }

    /** The allow-list for one stream, remembering the class it rejected, for the error message. */
    private static final class RecordingFilter implements ObjectInputFilter {
        private final ObjectInputFilter patterns;
        private Class<?> rejected;

        RecordingFilter(ObjectInputFilter patterns) {
            this.patterns = patterns;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            Class<?> type = info.serialClass();
            if (type != null && type.isHidden()) {
                // a lambda made by SerializedLambda.readResolve, after its capturing class passed this filter:
                // a stream cannot name a hidden class itself
                return Status.ALLOWED;
            }
            Status status = patterns.checkInput(info);
            if (status == Status.REJECTED && rejected == null) {
                rejected = info.serialClass();
            }
            return status;
        }
    }

    @Override
    public String toString() {
        return "JavaSerializer" + allowList;
    }

    /** Makes {@link JavaSerializer}s: the default serializer of worker processes. */
    public static final class Factory implements SerializerFactory {
        /** The factory, for worker processes that create it by class name. */
        public Factory() {
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

    /** Resolves classes with a given loader (primitive types as the JDK does). */
    private static final class LoaderInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass description) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(description.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(description);
            }
        }
    }
}

package io.paraflow.cache.internal;

import io.paraflow.cache.Fingerprinter;
import io.paraflow.command.CommandResult;
import io.paraflow.data.FileRef;

import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content fingerprints of argument values: SHA-256 over a tagged, type-aware encoding of the value, so
 * equal content gives equal fingerprints in every JVM and on every machine, and nothing depends on
 * identity hash codes or on the iteration order of hashed collections (sets and maps are fingerprinted
 * as the sorted fingerprints of their members).
 *
 * <p>What it fingerprints by itself: {@code null}, strings, boxed primitives, {@link BigInteger},
 * {@link BigDecimal}, enums, {@link UUID}, {@link Path} (its text, not the file's content), {@link FileRef}
 * (its path and its content), a command's result (its exit code and output files), java.time
 * values, {@link Optional}, arrays, lists, sets, maps and records of those, and every type with a
 * registered {@link Fingerprinter}. Anything else throws {@link NotFingerprintableException} naming the
 * type and where it was found; the caller then does not cache.
 *
 * <p>Thread-safe: registration and lookups use a concurrent map, every computation its own digest.
 */
public final class Fingerprints {

    private static final int MAX_DEPTH = 64;
    private static final MessageDigest PROTOTYPE = sha256();

    private final Map<Class<?>, Fingerprinter<Object>> fingerprinters = new ConcurrentHashMap<>();

    /** Uses {@code fingerprinter} for values of {@code type} and of its subtypes. */
    @SuppressWarnings("unchecked")
    public <T> void register(Class<T> type, Fingerprinter<? super T> fingerprinter) {
        fingerprinters.put(type, (Fingerprinter<Object>) fingerprinter);
    }

    /** A copy with the same registrations, independent of later ones. */
    public Fingerprints copy() {
        Fingerprints copy = new Fingerprints();
        copy.fingerprinters.putAll(fingerprinters);
        return copy;
    }

    /** The fingerprint of {@code value}. */
    public Fingerprint of(Object value) {
        Encoder encoder = new Encoder();
        encoder.value(value, "value", 0);
        return new Fingerprint(encoder.digest.digest());
    }

    /**
     * A fingerprint that stands for an ordered combination of parts: a tag, then each part as text or
     * as an already computed fingerprint.
     */
    public static Fingerprint combine(String tag, List<?> parts) {
        MessageDigest digest = newDigest();
        text(digest, tag);
        for (Object part : parts) {
            if (part instanceof Fingerprint f) {
                digest.update((byte) 'F');
                digest.update(f.bytes());
            } else {
                digest.update((byte) 'S');
                text(digest, String.valueOf(part));
            }
        }
        return new Fingerprint(digest.digest());
    }

    private Fingerprinter<Object> fingerprinterFor(Class<?> type) {
        Fingerprinter<Object> exact = fingerprinters.get(type);
        if (exact != null || fingerprinters.isEmpty()) {
            return exact;
        }
        for (Map.Entry<Class<?>, Fingerprinter<Object>> entry : fingerprinters.entrySet()) {
            if (entry.getKey().isAssignableFrom(type)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private final class Encoder {
        final MessageDigest digest = newDigest();
        private final byte[] scratch = new byte[Long.BYTES];
        /** The containers being encoded, to refuse cycles; made on the first container. */
        private IdentityHashMap<Object, Boolean> open;

        void value(Object value, String where, int depth) {
            if (depth > MAX_DEPTH) {
                throw new NotFingerprintableException(where + " is nested more than " + MAX_DEPTH + " levels deep");
            }
            if (value == null) {
                tag('0');
                return;
            }
            Fingerprinter<Object> custom = fingerprinterFor(value.getClass());
            if (custom != null) {
                tag('U');
                text(digest, value.getClass().getName());
                Object key = custom.key(value);
                if (key == value) {
                    throw new NotFingerprintableException("the fingerprinter of " + value.getClass().getName()
                            + " returned the value itself; it must return a value the cache can fingerprint");
                }
                value(key, where + " (key of " + value.getClass().getName() + ")", depth + 1);
                return;
            }
            if (value instanceof String s) {
                tag('s');
                text(digest, s);
            } else if (value instanceof Integer i) {
                tag('i');
                longValue(i);
            } else if (value instanceof Long l) {
                tag('l');
                longValue(l);
            } else if (value instanceof Short s) {
                tag('h');
                longValue(s);
            } else if (value instanceof Byte b) {
                tag('b');
                longValue(b);
            } else if (value instanceof Double d) {
                tag('D');
                longValue(Double.doubleToLongBits(d));
            } else if (value instanceof Float f) {
                tag('F');
                longValue(Float.floatToIntBits(f));
            } else if (value instanceof Boolean b) {
                tag(b ? 'T' : 'f');
            } else if (value instanceof Character c) {
                tag('C');
                longValue(c);
            } else if (value instanceof BigInteger || value instanceof BigDecimal || value instanceof UUID
                    || value instanceof TemporalAccessor) {
                tag('N');
                text(digest, value.getClass().getName());
                text(digest, value.toString());
            } else if (value instanceof Enum<?> e) {
                tag('E');
                text(digest, e.getDeclaringClass().getName());
                text(digest, e.name());
            } else if (value instanceof FileRef file) {
                tag('f');
                text(digest, file.toString());
                try {
                    text(digest, FileManifest.digest(file));
                } catch (IOException e) {
                    throw new NotFingerprintableException(where + " is file " + file + ", which cannot be read: " + e);
                }
            } else if (value instanceof CommandResult result) {
                tag('c');
                longValue(result.exitCode());
                value(result.outputs(), where + " (outputs)", depth + 1);
            } else if (value instanceof Path p) {
                tag('P');
                text(digest, p.toString());
            } else if (value instanceof Optional<?> o) {
                tag('O');
                value(o.orElse(null), where + " (optional)", depth + 1);
            } else if (value.getClass().isArray()) {
                array(value, where, depth);
            } else if (value instanceof Record) {
                record(value, where, depth);
            } else if (value instanceof List<?> list) {
                enter(value, where);
                tag('L');
                longValue(list.size());
                int i = 0;
                for (Object element : list) {
                    value(element, where + "[" + i++ + "]", depth + 1);
                }
                open.remove(value);
            } else if (value instanceof Set<?> set) {
                enter(value, where);
                tag('S');
                unordered(set, where + " (set element)", depth);
                open.remove(value);
            } else if (value instanceof Map<?, ?> map) {
                enter(value, where);
                tag('M');
                List<Object> entries = new ArrayList<>(map.size());
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    entries.add(List.of(Optional.ofNullable(entry.getKey()), Optional.ofNullable(entry.getValue())));
                }
                unordered(entries, where + " (map entry)", depth);
                open.remove(value);
            } else {
                throw new NotFingerprintableException(where + " is a " + value.getClass().getName()
                        + ", which the cache cannot fingerprint; register a Fingerprinter for it on the flow"
                        + " builder, or make it a record of fingerprintable values");
            }
        }

        private void unordered(Collection<?> members, String where, int depth) {
            byte[][] prints = new byte[members.size()][];
            int i = 0;
            for (Object member : members) {
                Encoder nested = new Encoder();
                nested.open = new IdentityHashMap<>(open);
                nested.value(member, where, depth + 1);
                prints[i++] = nested.digest.digest();
            }
            Arrays.sort(prints, Arrays::compareUnsigned);
            longValue(prints.length);
            for (byte[] print : prints) {
                digest.update(print);
            }
        }

        private void array(Object array, String where, int depth) {
            Class<?> component = array.getClass().getComponentType();
            int length = Array.getLength(array);
            tag('A');
            text(digest, component.getName());
            longValue(length);
            if (array instanceof byte[] bytes) {
                digest.update(bytes);
            } else if (component.isPrimitive()) {
                for (int i = 0; i < length; i++) {
                    value(Array.get(array, i), where, depth + 1);
                }
            } else {
                enter(array, where);
                for (int i = 0; i < length; i++) {
                    value(Array.get(array, i), where + "[" + i + "]", depth + 1);
                }
                open.remove(array);
            }
        }

        private void record(Object record, String where, int depth) {
            enter(record, where);
            tag('R');
            text(digest, record.getClass().getName());
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                Object field;
                try {
                    component.getAccessor().setAccessible(true);
                    field = component.getAccessor().invoke(record);
                } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                    throw new NotFingerprintableException("cannot read component " + component.getName() + " of "
                            + where + " (" + record.getClass().getName() + "): " + e);
                }
                text(digest, component.getName());
                value(field, where + "." + component.getName(), depth + 1);
            }
            open.remove(record);
        }

        private void enter(Object container, String where) {
            if (open == null) {
                open = new IdentityHashMap<>();
            }
            if (open.put(container, Boolean.TRUE) != null) {
                throw new NotFingerprintableException(where + " contains itself");
            }
        }

        private void tag(char tag) {
            digest.update((byte) tag);
        }

        private void longValue(long value) {
            for (int i = Long.BYTES - 1; i >= 0; i--) {
                scratch[i] = (byte) value;
                value >>>= 8;
            }
            digest.update(scratch);
        }
    }

    private static void text(MessageDigest digest, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int length = bytes.length;
        digest.update((byte) (length >>> 24));
        digest.update((byte) (length >>> 16));
        digest.update((byte) (length >>> 8));
        digest.update((byte) length);
        digest.update(bytes);
    }

    static MessageDigest newDigest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return sha256();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}

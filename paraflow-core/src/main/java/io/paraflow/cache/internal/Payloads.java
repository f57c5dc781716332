package io.paraflow.cache.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

/** Turns results and failures into the bytes a checkpoint holds, and back. Thread-safe. */
public final class Payloads {

    private Payloads() {
    }

    /**
     * The bytes of {@code value}.
     *
     * @throws IOException if it cannot be serialized; the message names the type
     */
    public static byte[] encode(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    /**
     * The value {@link #encode} turned into {@code bytes}, its classes loaded by {@code loader}.
     *
     * @throws IOException if the bytes are damaged or a class is missing
     */
    public static Object decode(byte[] bytes, ClassLoader loader) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            return in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException("a checkpoint refers to class " + e.getMessage() + ", which this program does not have", e);
        }
    }
}

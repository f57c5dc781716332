package io.paraflow.cache.internal;

import io.paraflow.command.CommandResult;
import io.paraflow.data.FileRef;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The files a task result refers to ({@link FileRef}s, a {@link CommandResult}'s outputs, in collections,
 * maps, arrays and optionals), each with the SHA-256 of its content when the result was recorded. A
 * recorded result is reused only while every one of its files still has that content.
 *
 * @param files absolute path to content digest (hex)
 */
public record FileManifest(Map<String, String> files) implements Serializable {

    private static final int BUFFER = 64 * 1024;

    /**
     * The manifest of {@code value}: empty when it refers to no file.
     *
     * @throws IOException if a referred file cannot be read (it is missing, for one)
     */
    public static FileManifest of(Object value) throws IOException {
        Map<String, String> files = new TreeMap<>();
        collect(value, files);
        return new FileManifest(Map.copyOf(files));
    }

    /** Whether every file still exists with the recorded content. */
    public boolean stillMatches() {
        for (Map.Entry<String, String> file : files.entrySet()) {
            try {
                if (!digest(FileRef.of(file.getKey())).equals(file.getValue())) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * The SHA-256 of {@code file}'s content, in hex.
     *
     * @throws NoSuchFileException if it does not exist
     */
    public static String digest(FileRef file) throws IOException {
        MessageDigest digest = Fingerprints.newDigest();
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file.path())) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void collect(Object value, Map<String, String> files) throws IOException {
        if (value instanceof FileRef file) {
            if (!files.containsKey(file.toString())) {
                files.put(file.toString(), digest(file));
            }
        } else if (value instanceof CommandResult result) {
            collect(result.outputs(), files);
        } else if (value instanceof Collection<?> values) {
            for (Object v : values) {
                collect(v, files);
            }
        } else if (value instanceof Map<?, ?> map) {
            collect(map.keySet(), files);
            collect(map.values(), files);
        } else if (value instanceof Object[] values) {
            for (Object v : values) {
                collect(v, files);
            }
        } else if (value instanceof Optional<?> optional && optional.isPresent()) {
            collect(optional.get(), files);
        }
    }
}

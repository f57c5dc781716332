package io.paraflow.bench;

import io.paraflow.serial.Serializer;
import io.paraflow.serial.SerializerFactory;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.Language;
import org.apache.fory.resolver.AllowListChecker;

import java.util.List;

/**
 * Apache Fory as a candidate {@link Serializer}, configured as the runtime would have to use it: class
 * registration off (task classes are the users'), an allow-list checker in strict mode in its place
 * ({@code io.paraflow} and the allowed patterns; Fory's own serializers cover the JDK's common types), and
 * reference tracking on (object graphs may share values). Also its own {@link SerializerFactory}, so that
 * {@link ProcessWorkloads} can run worker processes with it. Only for benchmarks.
 */
public final class ForyCandidate implements Serializer, SerializerFactory {
    private final ThreadSafeFory fory;

    /** A candidate allowing Paraflow's classes; worker processes create the factory this way. */
    public ForyCandidate() {
        this(List.of());
    }

    private ForyCandidate(List<String> allowed) {
        AllowListChecker checker = new AllowListChecker(AllowListChecker.CheckLevel.STRICT);
        checker.allowClass("io.paraflow.*");
        for (String pattern : allowed) {
            // Fory's "a.b.*" is a prefix: it covers subpackages too, like our "a.b.**"
            checker.allowClass(pattern.endsWith(".**") ? pattern.substring(0, pattern.length() - 1) : pattern);
        }
        this.fory = Fory.builder().withLanguage(Language.JAVA).requireClassRegistration(false).withRefTracking(true)
                .withTypeChecker(checker).suppressClassRegistrationWarnings(true).buildThreadSafeFory();
    }

    @Override
    public Serializer create(List<String> allowed) {
        return new ForyCandidate(allowed);
    }

    @Override
    public byte[] toBytes(Object value) {
        return fory.serialize(value);
    }

    @Override
    public Object fromBytes(byte[] bytes, int offset, int length) {
        if (offset != 0 || length != bytes.length) {
            throw new IllegalArgumentException("whole arrays only");
        }
        return fory.deserialize(bytes);
    }

    @Override
    public String toString() {
        return "Fory";
    }
}

package io.paraflow.bench;

import io.paraflow.serial.Serializer;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.Language;
import org.apache.fory.resolver.AllowListChecker;

import java.util.List;

/**
 * Apache Fory as a candidate {@link Serializer}, configured as the runtime would have to use it: class
 * registration off (task classes are the users'), an allow-list checker in strict mode in its place, and
 * reference tracking on (object graphs may share values). Only for {@link SerializerBenchmark}.
 */
final class ForyCandidate implements Serializer {
    private final ThreadSafeFory fory;

    ForyCandidate(List<String> allowedPrefixes) {
        AllowListChecker checker = new AllowListChecker(AllowListChecker.CheckLevel.STRICT);
        allowedPrefixes.forEach(checker::allowClass);
        this.fory = Fory.builder().withLanguage(Language.JAVA).requireClassRegistration(false).withRefTracking(true)
                .withTypeChecker(checker).suppressClassRegistrationWarnings(true).buildThreadSafeFory();
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
}

package io.paraflow.bench;

import io.paraflow.exec.Invocation;
import io.paraflow.fn.Fn0;
import io.paraflow.fn.Fn2;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The serializer decision: a round trip (to bytes and back, as a task's invocation and result take
 * between driver and worker) of typical payloads with {@link JavaSerializer} (allow-list filter) and
 * {@link ForySerializer} (allow-list type checker), in the same run. Each round trip is checked.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SerializerBenchmark {

    /** A small record, as task arguments and results often are. */
    record Sample(String name, double value, int[] counts) implements Serializable {
    }

    static final Fn0<Integer> NO_OP = () -> 1;

    @Param({"java", "fory"})
    public String serializer;

    @Param({"no-op invocation", "small records", "captured lambda", "1 MB double[]"})
    public String payload;

    private Serializer candidate;
    private Object value;

    @Setup
    public void setUp() {
        candidate = serializer.equals("java") ? JavaSerializer.allowing(List.of()) : ForySerializer.allowing(List.of());
        value = payload(payload);
        check(candidate, value);
    }

    static Object payload(String name) {
        switch (name) {
            case "no-op invocation":
                return new Invocation(NO_OP);
            case "small records": {
                Fn2<Sample, Sample, Double> sum = (a, b) -> a.value() + b.value();
                return new Invocation(sum, new Sample("left", 1.5, new int[] {1, 2, 3}), new Sample("right", 2.5, new int[] {4}));
            }
            case "captured lambda": {
                double scale = 3.0;
                String label = "scaled";
                Fn0<String> captured = () -> label + scale;
                return new Invocation(captured);
            }
            case "1 MB double[]": {
                double[] data = new double[1 << 17];
                for (int i = 0; i < data.length; i++) {
                    data[i] = i * 0.5;
                }
                return data;
            }
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** Fails unless a round trip gives back an equivalent value (invocations are compared by what they compute). */
    static void check(Serializer serializer, Object value) {
        Object copy = roundTrip(serializer, value);
        try {
            if (value instanceof Invocation original) {
                Object expected = original.invoke();
                Object actual = ((Invocation) copy).invoke();
                if (!expected.equals(actual)) {
                    throw new IllegalStateException(serializer + " changed an invocation's result: " + actual);
                }
            } else if (!java.util.Arrays.equals((double[]) value, (double[]) copy)) {
                throw new IllegalStateException(serializer + " changed an array");
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Object roundTrip(Serializer serializer, Object value) {
        byte[] bytes = serializer.toBytes(value);
        return serializer.fromBytes(bytes, 0, bytes.length);
    }

    @Benchmark
    public Object roundTrip() {
        return roundTrip(candidate, value);
    }
}

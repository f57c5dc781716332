package io.paraflow.exec;

/**
 * An amount of compute resources: what a task asks for, or what an executor offers.
 *
 * @param cores       number of cores (slots); at least 1 for a task
 * @param memoryBytes memory in bytes; 0 means "not stated" for a task
 * @param gpus        number of GPUs
 */
public record Resources(int cores, long memoryBytes, int gpus) {

    /** What a task asks for unless told otherwise: one core, no stated memory, no GPU. */
    public static final Resources DEFAULT_TASK = new Resources(1, 0, 0);

    /** Validates the amounts. */
    public Resources {
        if (cores < 0 || memoryBytes < 0 || gpus < 0) {
            throw new IllegalArgumentException("resources must not be negative: " + describe(cores, memoryBytes, gpus));
        }
    }

    /** Whether this request fits inside {@code capacity}, ignoring what is in use. */
    public boolean fitsIn(Resources capacity) {
        return cores <= capacity.cores && memoryBytes <= capacity.memoryBytes && gpus <= capacity.gpus;
    }

    @Override
    public String toString() {
        return describe(cores, memoryBytes, gpus);
    }

    private static String describe(int cores, long memoryBytes, int gpus) {
        return cores + " core(s), " + formatBytes(memoryBytes) + " memory, " + gpus + " GPU(s)";
    }

    /** Formats a byte count for people: {@code 512 MiB}, {@code 3.5 GiB}. */
    public static String formatBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return (value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.1f", value)) + " " + units[unit];
    }
}

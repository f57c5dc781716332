package io.paraflow.examples;

import io.paraflow.Flow;
import io.paraflow.command.CommandExecutor;
import io.paraflow.exec.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class WordFrequenciesTest {

    @TempDir
    Path directory;

    @ParameterizedTest(name = "{0} thread(s) and command slot(s)")
    @ValueSource(ints = {1, 2})
    void theCommandsCountWhatTheJavaTasksWrote(int parallelism) throws Exception {
        int texts = 5;
        try (Flow flow = Flow.builder().threads(parallelism).executor(CommandExecutor.create(CommandExecutor.LABEL,
                new Resources(parallelism, Long.MAX_VALUE, 0), directory.resolve("runs"))).build()) {
            Map<String, Long> counted = WordFrequencies.count(flow, directory, texts).get();

            Map<String, Long> expected = new TreeMap<>();
            for (int i = 0; i < texts; i++) {
                Arrays.stream(Files.readString(directory.resolve("text-" + i + ".txt")).split("\\s+"))
                        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                        .forEach((word, n) -> expected.merge(word, n, Long::sum));
            }
            assertThat(counted).isEqualTo(expected);
            assertThat(counted.values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo((long) texts * WordFrequencies.WORDS_PER_TEXT);
            assertThat(counted.keySet()).containsExactlyInAnyOrderElementsOf(WordFrequencies.WORDS);
        }
    }
}

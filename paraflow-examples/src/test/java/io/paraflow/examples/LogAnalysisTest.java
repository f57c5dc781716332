package io.paraflow.examples;

import io.paraflow.examples.LogAnalysis.ServiceStats;
import io.paraflow.pattern.PatternException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogAnalysisTest {

    private static final int LINES = 25_500;

    @TempDir
    static Path dir;
    private static Path log;
    private static Map<String, ServiceStats> reference;

    @BeforeAll
    static void generateALog() throws IOException {
        log = dir.resolve("access.log");
        LogAnalysis.generate(log, LINES, 7);
        reference = LogAnalysis.sequential(log);
    }

    @Test
    void theSequentialSummaryCountsEveryLine() {
        assertThat(reference.values().stream().mapToLong(ServiceStats::requests).sum()).isEqualTo(LINES);
        assertThat(reference).hasSizeGreaterThan(10);
        assertThat(reference.values()).anySatisfy(s -> assertThat(s.errors()).isPositive());
    }

    @ParameterizedTest(name = "{0} parsers, {1} aggregators")
    @CsvSource({"1, 1", "2, 2", "3, 2", "2, 5"})
    void thePatternGivesTheSequentialSummary(int parsers, int aggregators) {
        assertThat(LogAnalysis.parallel(log, parsers, aggregators)).isEqualTo(reference);
    }

    @Test
    void theSummaryFileHasALinePerService() throws IOException {
        Path summary = dir.resolve("summary.csv");
        LogAnalysis.writeSummary(reference, summary);
        List<String> lines = Files.readAllLines(summary);
        assertThat(lines).hasSize(reference.size() + 1);
        assertThat(lines.get(0)).isEqualTo("service,requests,errors,mean_ms,max_ms,last_request");
    }

    @Test
    void aMalformedLineStopsTheAnalysisAndNamesTheParser() throws IOException {
        Path broken = dir.resolve("broken.log");
        List<String> lines = Files.readAllLines(log);
        lines.set(LogAnalysis.BLOCK + 3, "2026-11-21T00:00:07Z service-1 GET");
        Files.write(broken, lines);
        assertThatThrownBy(() -> LogAnalysis.parallel(broken, 2, 2))
                .isInstanceOf(PatternException.class)
                .hasMessageStartingWith("pattern 'log analysis': left node 1 of log analysis failed")
                .hasMessageContaining("malformed log line: '2026-11-21T00:00:07Z service-1 GET'");
    }
}

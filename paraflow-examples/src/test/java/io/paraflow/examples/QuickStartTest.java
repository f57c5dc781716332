package io.paraflow.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

class QuickStartTest {

    @Test
    void printsAnEstimateOfPi() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[0]);
        } finally {
            System.setOut(original);
        }

        Matcher line = Pattern.compile("pi is about (\\S+)").matcher(captured.toString(StandardCharsets.UTF_8));
        assertThat(line.find()).as("output: %s", captured).isTrue();
        // 32 million samples: the standard error of the estimate is about 3e-4.
        assertThat(Double.parseDouble(line.group(1))).isCloseTo(Math.PI, offset(0.005));
    }

    @Test
    void batchesCountHitsLikeTheAreaOfTheQuarterCircle() {
        double share = (double) QuickStart.hits(99) / QuickStart.SAMPLES;

        assertThat(share).isCloseTo(Math.PI / 4, offset(0.002));
        assertThat(QuickStart.hits(99)).isEqualTo(QuickStart.hits(99));
    }
}

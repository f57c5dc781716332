package io.paraflow.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The last lines of an output file: whole lines when they fit in the last 8 KiB, else the end of the cut one. */
class TailsTest {

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("out"), text, StandardCharsets.UTF_8);
    }

    @Test
    void aShortFileGivesItsLastLinesWithoutTrailingEmptyOnes() throws IOException {
        String lines = IntStream.rangeClosed(1, 30).mapToObj(i -> "line " + i).collect(Collectors.joining("\n"));
        assertThat(Tails.of(write(lines + "\n\n\n"), 20).lines()).hasSize(20).startsWith("line 11").endsWith("line 30");
        assertThat(Tails.of(write("one\r\ntwo\r\n"), 20)).isEqualTo("one\ntwo");
        assertThat(Tails.of(write(""), 20)).isEmpty();
        assertThat(Tails.of(dir.resolve("missing"), 20)).isEmpty();
    }

    @Test
    void aLastLineLongerThanTheWindowKeepsItsEndAfterAMark() throws IOException {
        String line = "start" + "x".repeat(20_000) + "the end";
        String tail = Tails.of(write("before\n" + line + "\n"), 20);
        assertThat(tail).startsWith(Tails.CUT + "xxx").endsWith("xxxthe end").doesNotContain("\n").doesNotContain("before");
        assertThat(tail).hasSize(Tails.CUT.length() + 8192 - 1);   // the window less the line's newline
    }

    @Test
    void longLinesGiveTheEndOfTheLastOne() throws IOException {
        String text = IntStream.range(0, 100).mapToObj(i -> i + ":" + "y".repeat(20_000)).collect(Collectors.joining("\n"));
        String tail = Tails.of(write(text), 20);
        assertThat(tail).startsWith(Tails.CUT).endsWith("yyy").doesNotContain("\n").hasSize(Tails.CUT.length() + 8192);
    }

    @Test
    void aCutFirstLineIsMarkedAndTheLinesAfterItAreWhole() throws IOException {
        String text = "z".repeat(10_000) + "\nshort 1\nshort 2\n";
        assertThat(Tails.of(write(text), 20).split("\n")).hasSize(3).satisfies(lines -> {
            assertThat(lines[0]).startsWith(Tails.CUT + "zzz");
            assertThat(lines[1]).isEqualTo("short 1");
            assertThat(lines[2]).isEqualTo("short 2");
        });
        // the cut line is not shown when enough whole lines follow it
        assertThat(Tails.of(write(text), 2)).isEqualTo("short 1\nshort 2");
    }

    @Test
    void aWindowThatStartsWithALineIsNotMarked() throws IOException {
        String last = "w".repeat(8191);   // with its newline exactly the window: the line before is not in it
        assertThat(Tails.of(write("first line\n" + last + "\n"), 20)).isEqualTo(last);
    }

    @Test
    void aWindowThatStartsInsideACrLfIsNotMarked() throws IOException {
        // 20 lines of 390 bytes and one of 391 with their CRLFs: 8,191 bytes, so the window starts at the '\n' of "x...\r\n"
        String lines = ("a".repeat(388) + "\r\n").repeat(20) + "b".repeat(389) + "\r\n";
        assertThat(lines).hasSize(8191);
        String tail = Tails.of(write("x".repeat(100) + "\r\n" + lines), 30);
        assertThat(tail.split("\n", -1)).hasSize(21).startsWith("a".repeat(388)).endsWith("b".repeat(389));
    }

    @Test
    void aCharacterCutByTheWindowIsLeftOut() throws IOException {
        // three bytes each: the last 8,192 bytes start with the second byte of one
        String tail = Tails.of(write("€".repeat(4000)), 20);
        assertThat(tail).startsWith(Tails.CUT + "€").doesNotContain("\uFFFD").endsWith("€");
        assertThat(tail).hasSize(Tails.CUT.length() + 2730);
    }
}

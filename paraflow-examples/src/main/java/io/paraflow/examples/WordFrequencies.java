package io.paraflow.examples;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandResult;
import io.paraflow.data.FileRef;
import io.paraflow.exec.Resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Java tasks and shell commands in one graph, joined by files: a Java task writes each text, a shell
 * pipeline ({@code tr | sort | uniq -c}) counts its words into a file, and a Java task adds the counts up.
 * Each command runs in a directory of its own under the run directory, so all of them can name their output
 * {@code counts.txt}.
 *
 * <p>Usage: {@code WordFrequencies <directory> [texts]}: the texts go to {@code directory}, and each run's
 * command directories to a new directory under {@code directory/runs}.
 */
public final class WordFrequencies {
    static final List<String> WORDS = List.of("flow", "task", "file", "graph", "core", "data", "node", "pipe");
    static final int WORDS_PER_TEXT = 10_000;

    private WordFrequencies() {
    }

    /** Submits the whole graph and returns the task of the word counts over {@code texts} generated texts. */
    public static Task<Map<String, Long>> count(Flow flow, Path directory, int texts) {
        List<Task<CommandResult>> counted = new ArrayList<>();
        for (int i = 0; i < texts; i++) {
            Path text = directory.resolve("text-" + i + ".txt");
            long seed = i;
            Task<FileRef> written = flow.task("write").submit(() -> FileRef.output(write(text, seed)));
            counted.add(flow.command("count")
                    .shell("tr -s ' ' '\\n' < \"$1\" | sort | uniq -c > counts.txt")  // $1: the written file
                    .args(written)                     // a dependency: runs after "write", gets its path
                    .outputs("counts.txt")             // must exist when the program ends
                    .timeout(Duration.ofMinutes(5))    // every task option applies: retries, cores, group...
                    .submit());
        }
        return flow.task("total").submit(WordFrequencies::addUp, flow.all(counted));
    }

    /** Writes a text of random words from {@link #WORDS}. */
    static Path write(Path text, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder words = new StringBuilder();
        for (int w = 0; w < WORDS_PER_TEXT; w++) {
            words.append(WORDS.get(random.nextInt(WORDS.size()))).append(w % 20 == 19 ? '\n' : ' ');
        }
        return Files.writeString(text, words);
    }

    /** Adds up the {@code uniq -c} lines ("   1234 word") of every command's output. */
    static Map<String, Long> addUp(List<CommandResult> counted) throws IOException {
        Map<String, Long> total = new TreeMap<>();
        for (CommandResult result : counted) {
            for (String line : Files.readAllLines(result.output().path())) {
                String[] countAndWord = line.trim().split("\\s+");
                total.merge(countAndWord[1], Long.parseLong(countAndWord[0]), Long::sum);
            }
        }
        return total;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: WordFrequencies <directory> [texts]");
            System.exit(2);
        }
        Path directory = Files.createDirectories(Path.of(args[0]));
        int texts = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        CommandExecutor commands = CommandExecutor.create(CommandExecutor.LABEL,
                new Resources(Runtime.getRuntime().availableProcessors(), Long.MAX_VALUE, 0),
                CommandExecutor.newRunDirectory(directory.resolve("runs")));
        try (Flow flow = Flow.builder().executor(commands).build()) {
            System.out.println(count(flow, directory, texts).get());
            System.out.println("command directories and outputs: " + commands.runDirectory());
        }
    }
}

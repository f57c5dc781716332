package io.paraflow.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The example queries of the module README run, as written, on a run's database, and answer something. */
class ReadmeQueriesTest {

    private static final Pattern SQLITE3_COMMAND = Pattern.compile("^sqlite3 \\S+ \"(.+)\"$", Pattern.MULTILINE);

    @Test
    void everyExampleQueryOfTheReadmeAnswers(@TempDir Path dir) throws Exception {
        List<String> queries = new ArrayList<>();
        Matcher command = SQLITE3_COMMAND.matcher(Files.readString(Path.of("README.md")));
        while (command.find()) {
            queries.add(command.group(1));
        }
        assertThat(queries).as("the README's sqlite3 examples").hasSizeGreaterThanOrEqualTo(2);
        Path db = dir.resolve("mixed.db");
        MixedRun.record(db);
        try (Connection connection = MixedRun.open(db)) {
            for (String query : queries) {
                assertThat(MixedRun.rows(connection, query)).as(query).isNotEmpty();
            }
        }
    }
}

package io.paraflow.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ReadmeTest {

    /** Tests run with the module directory as working directory. */
    private static final Path REPOSITORY = Path.of("..");

    @Test
    void readmeShowsQuickStartExactly() throws IOException {
        String readme = Files.readString(REPOSITORY.resolve("README.md"));
        String quickStart = Files.readString(
                Path.of("src/main/java/io/paraflow/examples/QuickStart.java"));

        assertThat(readme).contains("```java\n" + quickStart + "```\n");
    }
}

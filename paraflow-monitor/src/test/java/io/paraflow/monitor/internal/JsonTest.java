package io.paraflow.monitor.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {

    @Test
    void stringsAreEscapedSoThatTheOutputStaysValidJson() {
        assertThat(Json.string(new StringBuilder(), "a \"quoted\"\\name\n\t\u0001").toString())
                .isEqualTo("\"a \\\"quoted\\\"\\\\name\\n\\t\\u0001\"");
    }
}

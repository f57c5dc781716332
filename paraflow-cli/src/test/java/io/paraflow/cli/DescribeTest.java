package io.paraflow.cli;

import io.paraflow.Flow;
import io.paraflow.Task;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class DescribeTest {

    @Test
    void aTaskFailureIsShownByItsOwnMessageOnce() {
        Throwable failure;
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<Integer> broken = flow.task("divide").submit(() -> 1 / zero());
            Task<Integer> dependent = flow.task("report").submit(x -> x + 1, broken);
            failure = catchThrowable(dependent::join);
        }
        assertThat(failure).isInstanceOf(CompletionException.class);

        String described = Main.describe(failure);

        assertThat(described).startsWith("task 'report'").contains("'divide'").contains("ArithmeticException");
        assertThat(described.split("ArithmeticException", -1)).as(described).hasSize(2);
    }

    private static int zero() {
        return 0;
    }
}

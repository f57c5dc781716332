package io.paraflow.monitor.store;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Multi-row INSERTs whose columns of equal values are bound once write the same rows as single-row ones. */
@ExtendWith(NoLeakedThreads.class)
class MultiRowInsertTest {

    private static final int COLUMNS = 6;
    private static final int ROWS_PER_INSERT = 3;

    @TempDir
    Path dir;

    @Test
    void everyCombinationOfSharedColumnsWritesTheRowsAsGivenBeyondTheStatementsItPrepares() throws Exception {
        List<Object[]> rows = new ArrayList<>();
        // one statement's worth of rows per combination of equal columns: 64, more than the statements it keeps
        for (int shared = 0; shared < 1 << COLUMNS; shared++) {
            for (int i = 0; i < ROWS_PER_INSERT; i++) {
                long key = rows.size();
                Object[] row = new Object[COLUMNS];
                row[0] = (shared & 1) != 0 ? 0L : key;
                for (int column = 1; column < COLUMNS; column++) {
                    boolean same = (shared & (1 << column)) != 0;
                    row[column] = switch (column % 3) {
                        case 0 -> same ? null : (i == 0 ? null : "text-" + key);
                        case 1 -> same ? Long.valueOf(shared) : Long.valueOf(key * 31 + column);
                        default -> same ? "same" : (int) key;
                    };
                }
                rows.add(row);
            }
        }
        rows.add(new Object[] {-1L, 1L, "partial", null, 2L, "row"});
        try (Connection c = open(dir.resolve("shared.db"))) {
            c.setAutoCommit(false);
            try (Statement statement = c.createStatement()) {
                statement.executeUpdate("CREATE TABLE t (seq INTEGER PRIMARY KEY, a, b, c, d, e, f)");
            }
            MultiRowInsert<Object[]> insert = new MultiRowInsert<>(c, "INSERT INTO t (a, b, c, d, e, f) VALUES ",
                    COLUMNS, ROWS_PER_INSERT, (row, column) -> row[column]);
            for (Object[] row : rows) {
                insert.add(row);
            }
            insert.flush();
            c.commit();
            List<List<Object>> written = rows(c, "SELECT a, b, c, d, e, f FROM t ORDER BY seq");
            assertThat(written).hasSameSizeAs(rows);
            for (int i = 0; i < rows.size(); i++) {
                assertThat(written.get(i).stream().map(String::valueOf).toList()).as("row %d", i)
                        .isEqualTo(Arrays.stream(rows.get(i)).map(String::valueOf).toList());
            }
        }
    }

    @Test
    void aValueOfAnotherTypeIsRefusedNamingIt() throws Exception {
        try (Connection c = open(dir.resolve("types.db"))) {
            try (Statement statement = c.createStatement()) {
                statement.executeUpdate("CREATE TABLE t (a)");
            }
            MultiRowInsert<Object> insert = new MultiRowInsert<>(c, "INSERT INTO t (a) VALUES ", 1, 2, (row, column) -> row);
            insert.add(1.5);
            assertThatThrownBy(() -> insert.add(2.5)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot bind a java.lang.Double as a column");
        }
    }
}

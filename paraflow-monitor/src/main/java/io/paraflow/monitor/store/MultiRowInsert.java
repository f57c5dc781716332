package io.paraflow.monitor.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the rows of one table in the order they are added: every {@code rowsPerInsert} rows go in one
 * multi-row INSERT as soon as they are there (inside the writer's open transaction), and the rows still
 * pending at {@link #flush()} one statement each. A column that holds the same value in every row of a
 * multi-row INSERT (a task name, an executor, a state...) is bound once, as a numbered parameter the rows
 * share: sqlite-jdbc binds each parameter with a JNI call of its own, which costs about as much as SQLite's
 * insert of the row itself.
 *
 * <p>Not thread-safe; used by the writer's thread only. Methods throw {@link SQLException} when SQLite does.
 *
 * @param <R> the row type
 */
final class MultiRowInsert<R> {

    /** Reads one column of a row as the object to bind: a {@link Long}, {@link Integer}, {@link String} or null. */
    @FunctionalInterface
    interface Columns<R> {
        Object value(R row, int column);
    }

    /**
     * Statements prepared for as many combinations of shared columns; rows whose combination comes later
     * share nothing, so that a run of ever-changing values does not prepare statements without end.
     */
    private static final int MAX_STATEMENTS = 16;

    private final Connection connection;
    private final String insertInto;
    private final String afterValues;
    private final int columnCount;
    private final Columns<R> columns;
    private final Object[] pending;
    private int pendingCount;
    private final PreparedStatement single;
    /** Multi-row statements by the bit set of their shared columns; 0, nothing shared, is always there. */
    private final Map<Integer, PreparedStatement> byShared = new HashMap<>();

    /**
     * @param insertInto the statement up to its values, e.g. {@code INSERT OR REPLACE INTO t (a, b) VALUES }
     */
    MultiRowInsert(Connection connection, String insertInto, int columnCount, int rowsPerInsert, Columns<R> columns)
            throws SQLException {
        this(connection, insertInto, "", columnCount, rowsPerInsert, columns);
    }

    /**
     * @param insertInto the statement up to its values, e.g. {@code INSERT INTO t (a, b) VALUES }
     * @param afterValues what follows the values, e.g. an {@code ON CONFLICT} clause
     */
    MultiRowInsert(Connection connection, String insertInto, String afterValues, int columnCount, int rowsPerInsert,
                   Columns<R> columns) throws SQLException {
        if (columnCount > Integer.SIZE - 1) {
            throw new IllegalArgumentException("at most " + (Integer.SIZE - 1) + " columns, got " + columnCount);
        }
        this.connection = connection;
        this.insertInto = insertInto;
        this.afterValues = afterValues;
        this.columnCount = columnCount;
        this.columns = columns;
        this.pending = new Object[rowsPerInsert];
        this.single = connection.prepareStatement(insertInto + "(?" + ", ?".repeat(columnCount - 1) + ")" + afterValues);
        byShared.put(0, connection.prepareStatement(statementSql(0)));
    }

    /** Adds a row; writes a multi-row INSERT when it completes one. */
    void add(R row) throws SQLException {
        pending[pendingCount++] = row;
        if (pendingCount == pending.length) {
            insertPending();
        }
    }

    /** Writes the rows added since the last multi-row INSERT, one statement each. */
    void flush() throws SQLException {
        for (int i = 0; i < pendingCount; i++) {
            R row = row(i);
            for (int column = 0; column < columnCount; column++) {
                bind(single, column + 1, columns.value(row, column));
            }
            single.addBatch();
        }
        clearPending();
        single.executeBatch();
    }

    private void insertPending() throws SQLException {
        int shared = sharedColumns();
        PreparedStatement statement = byShared.get(shared);
        if (statement == null) {
            if (byShared.size() < MAX_STATEMENTS) {
                statement = connection.prepareStatement(statementSql(shared));
                byShared.put(shared, statement);
            } else {
                shared = 0;
                statement = byShared.get(0);
            }
        }
        int parameter = 1;
        for (int column = 0; column < columnCount; column++) {
            if (isShared(shared, column)) {
                bind(statement, parameter++, columns.value(row(0), column));
            }
        }
        for (int i = 0; i < pendingCount; i++) {
            R row = row(i);
            for (int column = 0; column < columnCount; column++) {
                if (!isShared(shared, column)) {
                    bind(statement, parameter++, columns.value(row, column));
                }
            }
        }
        clearPending();
        statement.executeUpdate();
    }

    /** The columns whose value is the same in every pending row, as a bit set. */
    private int sharedColumns() {
        int shared = 0;
        R first = row(0);
        for (int column = 0; column < columnCount; column++) {
            Object value = columns.value(first, column);
            int i = 1;
            while (i < pendingCount && Objects.equals(value, columns.value(row(i), column))) {
                i++;
            }
            if (i == pendingCount) {
                shared |= 1 << column;
            }
        }
        return shared;
    }

    /** Shared columns take the first parameters, in column order; then each row's own columns, row after row. */
    private String statementSql(int shared) {
        int[] parameterOf = new int[columnCount];
        int parameter = 1;
        for (int column = 0; column < columnCount; column++) {
            if (isShared(shared, column)) {
                parameterOf[column] = parameter++;
            }
        }
        StringBuilder sql = new StringBuilder(insertInto);
        for (int i = 0; i < pending.length; i++) {
            sql.append(i == 0 ? "(" : ", (");
            for (int column = 0; column < columnCount; column++) {
                sql.append(column == 0 ? "?" : ", ?").append(isShared(shared, column) ? parameterOf[column] : parameter++);
            }
            sql.append(')');
        }
        return sql.append(afterValues).toString();
    }

    private static boolean isShared(int shared, int column) {
        return (shared & (1 << column)) != 0;
    }

    @SuppressWarnings("unchecked")
    private R row(int i) {
        return (R) pending[i];
    }

    private void clearPending() {
        Arrays.fill(pending, 0, pendingCount, null);
        pendingCount = 0;
    }

    private static void bind(PreparedStatement statement, int parameter, Object value) throws SQLException {
        if (value == null) {
            statement.setNull(parameter, Types.NULL);
        } else if (value instanceof Long number) {
            statement.setLong(parameter, number);
        } else if (value instanceof Integer number) {
            statement.setInt(parameter, number);
        } else if (value instanceof String text) {
            statement.setString(parameter, text);
        } else {
            throw new IllegalArgumentException("cannot bind a " + value.getClass().getName() + " as a column");
        }
    }
}

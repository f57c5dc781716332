package io.paraflow.monitor.dashboard;

import io.paraflow.monitor.internal.Json;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/** Turns query results into JSON: a row is an object whose keys are the column labels. */
final class JsonRows {

    private JsonRows() {
    }

    /** Appends the rows of {@code query} as a JSON array of objects. */
    static StringBuilder array(StringBuilder out, PreparedStatement query) throws SQLException {
        out.append('[');
        try (ResultSet result = query.executeQuery()) {
            ResultSetMetaData meta = result.getMetaData();
            boolean first = true;
            while (result.next()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                object(out, result, meta);
            }
        }
        return out.append(']');
    }

    /** Appends the first row of {@code query} as a JSON object, or {@code null} if there is none. */
    static StringBuilder first(StringBuilder out, PreparedStatement query) throws SQLException {
        try (ResultSet result = query.executeQuery()) {
            return result.next() ? object(out, result, result.getMetaData()) : out.append("null");
        }
    }

    private static StringBuilder object(StringBuilder out, ResultSet result, ResultSetMetaData meta) throws SQLException {
        out.append('{');
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (i > 1) {
                out.append(',');
            }
            Json.string(out, meta.getColumnLabel(i)).append(':');
            Object value = result.getObject(i);
            if (value == null) {
                out.append("null");
            } else if (value instanceof Number number && meta.getColumnType(i) != Types.VARCHAR) {
                double asDouble = number.doubleValue();
                out.append(Double.isFinite(asDouble) ? number.toString() : "null");
            } else {
                Json.string(out, value.toString());
            }
        }
        return out.append('}');
    }
}

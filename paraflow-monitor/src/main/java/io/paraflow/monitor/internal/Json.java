package io.paraflow.monitor.internal;

/**
 * Writes JSON string literals; the exports and the dashboard build the rest of their JSON by hand, in
 * order. Internal: not part of the API.
 */
public final class Json {

    private Json() {
    }

    /** Appends {@code text} as a JSON string literal, quotes included. */
    public static StringBuilder string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}

package org.example.tasks;

/** A value type of user code, outside the default allow-list. */
public record Measurement(String name, double value) {
}

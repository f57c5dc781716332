package org.example.science;

import java.io.Serializable;

/** A result type of a user's program, outside Paraflow's packages (which every allow-list contains). */
public record Fit(String model, double error) implements Serializable {
}

package org.example.cluster;

/** A user's value class outside Paraflow's packages: not allowed unless a test allows it. */
public record Reading(String sensor, double value) {
}

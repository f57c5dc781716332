package io.paraflow.cluster.internal;

import io.paraflow.cluster.security.ClusterSecret;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings drivers and workers share (where to join, which interface, which port, how fast a silent
 * member is declared dead), validated as they are set, with messages that name the setting. Not
 * thread-safe: a builder's state.
 */
public final class MemberOptions {
    private final List<String> join = new ArrayList<>();
    private String bind = "127.0.0.1";
    private int port = Hazelcasts.DEFAULT_PORT;
    private boolean autoIncrement = true;
    private ClusterSecret secret;
    private Duration detection = Duration.ofSeconds(10);

    /** Adds addresses {@code host} or {@code host:port} of members to join. */
    public void join(List<String> addresses) {
        for (String address : addresses) {
            Objects.requireNonNull(address, "join address");
            String trimmed = address.trim();
            int colon = trimmed.lastIndexOf(':');
            if (trimmed.isEmpty() || colon == 0) {
                throw new IllegalArgumentException("join: '" + address + "' is not HOST or HOST:PORT");
            }
            if (colon > 0) {
                parsePort("join: '" + address + "'", trimmed.substring(colon + 1));
            }
            join.add(trimmed);
        }
    }

    /** The address of the interface to bind to and to announce to the other members. */
    public void bind(String address) {
        Objects.requireNonNull(address, "bind address");
        if (address.isBlank() || address.contains(":") && !address.contains(".")) {
            throw new IllegalArgumentException("bind: '" + address + "' is not an IPv4 interface address such as 10.0.0.5");
        }
        this.bind = address.trim();
    }

    /** The port to listen on; {@code 0} means the first free one from {@value Hazelcasts#DEFAULT_PORT}. */
    public void port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535 (or 0: the first free from "
                    + Hazelcasts.DEFAULT_PORT + "), got " + port);
        }
        this.autoIncrement = port == 0;
        this.port = port == 0 ? Hazelcasts.DEFAULT_PORT : port;
    }

    /** The cluster secret; without one, {@link #settings} reads {@value ClusterSecret#ENVIRONMENT_VARIABLE}. */
    public void secret(ClusterSecret secret) {
        this.secret = Objects.requireNonNull(secret, "secret");
    }

    /** How long a member may stay silent before it counts as lost; whole seconds, at least 2. */
    public void detection(Duration time) {
        Objects.requireNonNull(time, "detection time");
        if (time.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new IllegalArgumentException("detection time must be at least 2 s (heartbeats are sent every second), got "
                    + time);
        }
        this.detection = time;
    }

    /** The interface address to bind. */
    public String bindAddress() {
        return bind;
    }

    /** The addresses to join so far. */
    public List<String> joinAddresses() {
        return List.copyOf(join);
    }

    /**
     * The settings of a member with these options, {@code lite} or not, and {@code attributes}.
     *
     * @throws IllegalArgumentException if no secret was given and {@value ClusterSecret#ENVIRONMENT_VARIABLE}
     *                                  holds none
     */
    public Hazelcasts.Settings settings(boolean lite, Map<String, String> attributes) {
        if (secret == null) {
            secret = ClusterSecret.fromEnvironment(ClusterSecret.ENVIRONMENT_VARIABLE);
        }
        return new Hazelcasts.Settings(secret, List.copyOf(join), bind, port, autoIncrement, detection, lite,
                Map.copyOf(attributes));
    }

    private static void parsePort(String what, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": the port must be a number between 1 and 65535");
        }
    }
}

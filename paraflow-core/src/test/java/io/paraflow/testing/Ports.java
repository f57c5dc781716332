package io.paraflow.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Ports for servers that tests start on 127.0.0.1. */
public final class Ports {

    /**
     * Below Linux's default ephemeral range (32768-60999). A port the system hands out for {@code bind(0)}
     * comes from that range, from which it also takes the local ports of outgoing connections: between the
     * test closing such a port and its server binding it, a connection (Hazelcast members open many) may take
     * it. Ports below the range are taken only by servers that ask for them.
     */
    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;
    private static final int TRIES = 200;

    private Ports() {
    }

    /** A port that nothing listens on now on 127.0.0.1, chosen at random below the ephemeral range. */
    public static int unused() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < TRIES; i++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
            try (ServerSocket socket = new ServerSocket(port, 1, loopback)) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no unused port between " + FIRST + " and " + LAST + " after " + TRIES + " tries");
    }
}

package io.paraflow.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Why worker processes talk over pipes: the round trip of a frame the size of a task's invocation
 * (648 bytes, a no-op lambda with Java serialization) between this JVM and a child JVM that echoes it,
 * over the child's stdin/stdout and over a loopback TCP socket, in the same run. Median and p99.
 *
 * <p>Usage: {@code java -cp paraflow-bench.jar io.paraflow.bench.TransportComparison}.
 */
public final class TransportComparison {
    private static final int FRAME = 648;
    private static final int WARMUP = 20_000;
    private static final int ROUND_TRIPS = 20_000;

    private TransportComparison() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            echo(args);
            return;
        }
        System.out.printf(Locale.ROOT, "Round trip of a %d-byte frame to a child JVM and back (%,d after %,d warm-up)%n",
                FRAME, ROUND_TRIPS, WARMUP);
        report("stdin/stdout pipes", pipes());
        report("loopback TCP socket", socket());
    }

    private static Process child(String... mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[4 + mode.length];
        command[0] = java;
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = TransportComparison.class.getName();
        System.arraycopy(mode, 0, command, 4, mode.length);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static long[] pipes() throws Exception {
        Process child = child("pipe");
        try {
            return roundTrips(child.getOutputStream(), child.getInputStream());
        } finally {
            child.getOutputStream().close();
            child.waitFor();
        }
    }

    private static long[] socket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process child = child("socket", Integer.toString(server.getLocalPort()));
            try (Socket connection = server.accept()) {
                connection.setTcpNoDelay(true);
                return roundTrips(connection.getOutputStream(), connection.getInputStream());
            } finally {
                child.waitFor();
            }
        }
    }

    private static long[] roundTrips(OutputStream rawOut, InputStream rawIn) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(rawOut, 1 << 16));
        DataInputStream in = new DataInputStream(new BufferedInputStream(rawIn, 1 << 16));
        byte[] frame = new byte[FRAME];
        Arrays.fill(frame, (byte) 7);
        long[] nanos = new long[ROUND_TRIPS];
        for (int i = -WARMUP; i < ROUND_TRIPS; i++) {
            long start = System.nanoTime();
            out.writeInt(frame.length);
            out.write(frame);
            out.flush();
            byte[] back = new byte[in.readInt()];
            in.readFully(back);
            if (back.length != FRAME || back[FRAME - 1] != 7) {
                throw new IllegalStateException("the echo changed the frame");
            }
            if (i >= 0) {
                nanos[i] = System.nanoTime() - start;
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static void report(String transport, long[] nanos) {
        System.out.printf(Locale.ROOT, "  %-22s median %7.1f µs   p99 %8.1f µs%n", transport,
                nanos[nanos.length / 2] / 1e3, nanos[(int) (nanos.length * 0.99)] / 1e3);
    }

    /** The child: echoes frames until its input ends. */
    private static void echo(String[] args) throws IOException {
        InputStream rawIn;
        OutputStream rawOut;
        Socket connection = null;
        if (args[0].equals("socket")) {
            connection = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
            connection.setTcpNoDelay(true);
            rawIn = connection.getInputStream();
            rawOut = connection.getOutputStream();
        } else {
            rawIn = new FileInputStream(FileDescriptor.in);
            rawOut = new FileOutputStream(FileDescriptor.out);
        }
        DataInputStream in = new DataInputStream(new BufferedInputStream(rawIn, 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(rawOut, 1 << 16));
        for (int i = 0; i < WARMUP + ROUND_TRIPS; i++) {
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            out.writeInt(frame.length);
            out.write(frame);
            out.flush();
        }
        if (connection != null) {
            connection.close();
        }
    }
}

package io.paraflow.exec.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;

/**
 * The protocol between the driver and a worker over the worker's stdin and stdout: frames of a magic
 * byte, a kind byte, a 4-byte length and the payload. The worker says {@link #READY} once it is up;
 * then one task is in flight per worker: the driver sends {@link #RUN}, the worker answers
 * {@link #RESULT} or {@link #FAILURE}. The magic byte makes
 * anything else on the worker's stdout (a crashing JVM's report) a protocol error instead of a frame.
 */
final class Frames {
    /** Worker to driver, once, when it is up: it reads tasks from now on. */
    static final byte READY = 0;
    /** Driver to worker: a serialized {@link io.paraflow.exec.Invocation}. */
    static final byte RUN = 1;
    /** Worker to driver: the serialized result of the task. */
    static final byte RESULT = 2;
    /** Worker to driver: a serialized {@link io.paraflow.RemoteTaskException}. */
    static final byte FAILURE = 3;

    private static final byte MAGIC = (byte) 0xA7;

    /** A frame as read. */
    record Frame(byte kind, byte[] payload) {
    }

    private Frames() {
    }

    /** Writes one frame and flushes it. Called by one thread at a time per stream. */
    static void write(DataOutputStream out, byte kind, byte[] payload) throws IOException {
        out.writeByte(MAGIC);
        out.writeByte(kind);
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    /**
     * Reads one frame.
     *
     * @return the frame, or null at the end of the stream between frames
     * @throws StreamCorruptedException if the stream holds something else than frames
     * @throws EOFException             if the stream ends inside a frame
     */
    static Frame read(DataInputStream in) throws IOException {
        int magic = in.read();
        if (magic < 0) {
            return null;
        }
        if ((byte) magic != MAGIC) {
            throw new StreamCorruptedException("not a frame: byte 0x" + Integer.toHexString(magic));
        }
        byte kind = in.readByte();
        int length = in.readInt();
        if (kind < READY || kind > FAILURE || length < 0) {
            throw new StreamCorruptedException("not a frame: kind " + kind + ", length " + length);
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(kind, payload);
    }
}

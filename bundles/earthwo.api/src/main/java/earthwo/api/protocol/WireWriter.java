package earthwo.api.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one frame: reserves the length prefix and fills it in at the end. A plain growable
 * array: a frame is built by one thread, so the per-byte locking of a ByteArrayOutputStream (one
 * monitor per field written, on every answer the node sends) buys nothing.
 */
final class WireWriter {

    private byte[] buf;
    private int size;

    WireWriter(int sizeHint) {
        buf = new byte[Math.max(Frames.LENGTH_BYTES, sizeHint)];
        i32(0);
    }

    WireWriter u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    WireWriter i32(int v) {
        ensure(4);
        buf[size] = (byte) (v >>> 24);
        buf[size + 1] = (byte) (v >>> 16);
        buf[size + 2] = (byte) (v >>> 8);
        buf[size + 3] = (byte) v;
        size += 4;
        return this;
    }

    WireWriter i64(long v) {
        i32((int) (v >>> 32));
        return i32((int) v);
    }

    WireWriter bytes(byte[] b) {
        i32(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    WireWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The frame, length prefix filled in; the writer must not be used afterwards. */
    byte[] finish() {
        byte[] frame = size == buf.length ? buf : Arrays.copyOf(buf, size);
        int len = size - Frames.LENGTH_BYTES;
        frame[0] = (byte) (len >>> 24);
        frame[1] = (byte) (len >>> 16);
        frame[2] = (byte) (len >>> 8);
        frame[3] = (byte) len;
        return frame;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}

package earthwo.api.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds one frame: reserves the length prefix and fills it in at the end. */
final class WireWriter {

    private final ByteArrayOutputStream out;

    WireWriter(int sizeHint) {
        out = new ByteArrayOutputStream(Math.max(32, sizeHint));
        i32(0);
    }

    WireWriter u8(int v) {
        out.write(v);
        return this;
    }

    WireWriter i32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    WireWriter i64(long v) {
        i32((int) (v >>> 32));
        return i32((int) v);
    }

    WireWriter bytes(byte[] b) {
        i32(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    WireWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] finish() {
        byte[] frame = out.toByteArray();
        int len = frame.length - Frames.LENGTH_BYTES;
        frame[0] = (byte) (len >>> 24);
        frame[1] = (byte) (len >>> 16);
        frame[2] = (byte) (len >>> 8);
        frame[3] = (byte) len;
        return frame;
    }
}

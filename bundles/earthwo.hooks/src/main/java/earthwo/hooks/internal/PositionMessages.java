package earthwo.hooks.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Version;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The peer message of type {@value #TYPE}: delivery positions a segment master sends to the
 * segment's other replicas. Layout: type (1 byte), format (1 byte, {@value #FORMAT}), count (int),
 * then per position the name (unsigned short length, UTF-8), the segment (int) and the version
 * (long timestamp, int node id). The answer is empty.
 */
final class PositionMessages {

    static final int TYPE = 32;
    static final int FORMAT = 1;
    /** Positions per message at most: a sync of many hooks and segments goes in several. */
    static final int MAX_ENTRIES = 4_096;

    /** One position: {@code name}'s events of {@code segment} are acknowledged through {@code through}. */
    record Entry(String name, int segment, Version through) {
    }

    private PositionMessages() {
    }

    static byte[] encode(List<Entry> entries) {
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(entries.size() + " positions in one message, at most " + MAX_ENTRIES);
        }
        List<byte[]> names = new ArrayList<>(entries.size());
        int size = 6;
        for (Entry e : entries) {
            byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
            if (n.length > 0xffff) {
                throw new IllegalArgumentException("hook name of " + n.length + " bytes");
            }
            names.add(n);
            size += 2 + n.length + 4 + 8 + 4;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) TYPE).put((byte) FORMAT).putInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] n = names.get(i);
            b.putShort((short) n.length).put(n).putInt(e.segment())
                    .putLong(e.through().timestamp()).putInt(e.through().nodeId());
        }
        return b.array();
    }

    /** The positions of a message; BAD_REQUEST when it is not a well-formed one. */
    static List<Entry> decode(byte[] payload) {
        try {
            ByteBuffer b = ByteBuffer.wrap(payload);
            int type = b.get() & 0xff;
            int format = b.get() & 0xff;
            if (type != TYPE || format != FORMAT) {
                throw bad("type " + type + " format " + format + ", expected type " + TYPE + " format " + FORMAT);
            }
            int count = b.getInt();
            if (count < 0 || count > MAX_ENTRIES) {
                throw bad(count + " positions");
            }
            List<Entry> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] n = new byte[b.getShort() & 0xffff];
                b.get(n);
                int segment = b.getInt();
                long timestamp = b.getLong();
                int node = b.getInt();
                out.add(new Entry(new String(n, StandardCharsets.UTF_8), segment, new Version(timestamp, node)));
            }
            if (b.hasRemaining()) {
                throw bad(b.remaining() + " bytes after the last position");
            }
            return out;
        } catch (BufferUnderflowException e) {
            throw bad("cut short");
        }
    }

    private static EarthwoException bad(String what) {
        return new EarthwoException(ErrorCode.BAD_REQUEST, "malformed hook position message: " + what);
    }
}

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
 * The peer messages of the hooks dispatcher.
 *
 * <p>Type {@value #TYPE}: delivery positions a segment master sends to the segment's other
 * replicas. Layout: type (1 byte), format (1 byte, {@value #FORMAT}), count (int), then per
 * position the name (unsigned short length, UTF-8), the segment (int) and the version (long
 * timestamp, int node id). The answer is empty.
 *
 * <p>Type {@value #ASK}: a node that starts to master a segment asks the segment's other replicas
 * for the positions they hold. Layout: type, format, count (int), then per question the name and
 * the segment as above. The answer has the layout of a type {@value #TYPE} message with the type
 * byte {@value #ASK}: the positions the replica holds of what was asked (none for what it does
 * not know). At most {@value #MAX_ENTRIES} entries either way.
 */
final class PositionMessages {

    static final int TYPE = 32;
    static final int ASK = 33;
    static final int FORMAT = 1;
    /** Positions (or questions) per message at most: a sync of many hooks and segments goes in several. */
    static final int MAX_ENTRIES = 4_096;

    /** One position: {@code name}'s events of {@code segment} are acknowledged through {@code through}. */
    record Entry(String name, int segment, Version through) {
    }

    /** One question: which position of {@code name} in {@code segment} the replica holds. */
    record Question(String name, int segment) {
    }

    private PositionMessages() {
    }

    /** A message of type {@value #TYPE}. */
    static byte[] encode(List<Entry> entries) {
        return encode(TYPE, entries);
    }

    /** Positions as a message of type {@value #TYPE}, or as the answer to an {@value #ASK}. */
    static byte[] encode(int type, List<Entry> entries) {
        List<byte[]> names = names(entries.size(), entries.stream().map(Entry::name).toList());
        int size = 6;
        for (byte[] n : names) {
            size += 2 + n.length + 4 + 8 + 4;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) type).put((byte) FORMAT).putInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] n = names.get(i);
            b.putShort((short) n.length).put(n).putInt(e.segment())
                    .putLong(e.through().timestamp()).putInt(e.through().nodeId());
        }
        return b.array();
    }

    /** An {@value #ASK} question. */
    static byte[] encodeAsk(List<Question> questions) {
        List<byte[]> names = names(questions.size(), questions.stream().map(Question::name).toList());
        int size = 6;
        for (byte[] n : names) {
            size += 2 + n.length + 4;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) ASK).put((byte) FORMAT).putInt(questions.size());
        for (int i = 0; i < questions.size(); i++) {
            byte[] n = names.get(i);
            b.putShort((short) n.length).put(n).putInt(questions.get(i).segment());
        }
        return b.array();
    }

    private static List<byte[]> names(int count, List<String> names) {
        if (count > MAX_ENTRIES) {
            throw new IllegalArgumentException(count + " entries in one message, at most " + MAX_ENTRIES);
        }
        List<byte[]> out = new ArrayList<>(count);
        for (String name : names) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            if (n.length > 0xffff) {
                throw new IllegalArgumentException("hook name of " + n.length + " bytes");
            }
            out.add(n);
        }
        return out;
    }

    /** The type of a message (its first byte); BAD_REQUEST for an empty one. */
    static int typeOf(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "empty hook position message");
        }
        return payload[0] & 0xff;
    }

    /** The positions of a message of type {@value #TYPE}; BAD_REQUEST when it is not a well-formed one. */
    static List<Entry> decode(byte[] payload) {
        return decode(TYPE, payload);
    }

    /** The positions of a message of {@code type} ({@value #TYPE}, or an {@value #ASK} answer). */
    static List<Entry> decode(int type, byte[] payload) {
        try {
            ByteBuffer b = header(type, payload);
            int count = count(b);
            List<Entry> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String name = name(b);
                int segment = b.getInt();
                long timestamp = b.getLong();
                int node = b.getInt();
                out.add(new Entry(name, segment, new Version(timestamp, node)));
            }
            end(b);
            return out;
        } catch (BufferUnderflowException e) {
            throw bad("cut short");
        }
    }

    /** The questions of an {@value #ASK}; BAD_REQUEST when it is not a well-formed one. */
    static List<Question> decodeAsk(byte[] payload) {
        try {
            ByteBuffer b = header(ASK, payload);
            int count = count(b);
            List<Question> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String name = name(b);
                out.add(new Question(name, b.getInt()));
            }
            end(b);
            return out;
        } catch (BufferUnderflowException e) {
            throw bad("cut short");
        }
    }

    private static ByteBuffer header(int expected, byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        int type = b.get() & 0xff;
        int format = b.get() & 0xff;
        if (type != expected || format != FORMAT) {
            throw bad("type " + type + " format " + format + ", expected type " + expected + " format " + FORMAT);
        }
        return b;
    }

    private static int count(ByteBuffer b) {
        int count = b.getInt();
        if (count < 0 || count > MAX_ENTRIES) {
            throw bad(count + " entries");
        }
        return count;
    }

    private static String name(ByteBuffer b) {
        byte[] n = new byte[b.getShort() & 0xffff];
        b.get(n);
        return new String(n, StandardCharsets.UTF_8);
    }

    private static void end(ByteBuffer b) {
        if (b.hasRemaining()) {
            throw bad(b.remaining() + " bytes after the last entry");
        }
    }

    private static EarthwoException bad(String what) {
        return new EarthwoException(ErrorCode.BAD_REQUEST, "malformed hook position message: " + what);
    }
}

package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.StreamKey;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer messages of channels. Strings are UTF-8 with an unsigned short length (names are at
 * most 1 KiB); counts are ints.
 *
 * <p>Type {@value #CONTROL}, then a kind byte:
 * <ul>
 * <li>{@value #INTEREST}: a node's interest: node id (int), start (its publisher id), version
 * (long), names, patterns. The answer is the receiver's own interest in the same layout, so one
 * round trip tells both nodes.</li>
 * <li>{@value #REPLAY_ASK}: a resuming subscriber's question: names, patterns, since (long), then
 * streams (channel, publisher id, last sequence received). The answer, kind
 * {@value #REPLAY_ANSWER}: truncated (byte), messages, then how far each stream went (channel,
 * publisher id, sequence).</li>
 * </ul>
 *
 * <p>Type {@value #MESSAGES}: forwarded messages, in the order the sender published or received
 * them: count, then per message channel, publisher id, sequence (long), publish time (long),
 * payload (int length, bytes). The answer is empty.
 */
final class PeerMessages {

    static final int CONTROL = 48;
    static final int MESSAGES = 49;
    static final int INTEREST = 1;
    static final int REPLAY_ASK = 2;
    static final int REPLAY_ANSWER = 3;

    /** A node's interest as sent. */
    record InterestNote(int nodeId, String start, long version, Interest interest) {
    }

    /** A resuming subscriber's question. */
    record ReplayAsk(Interest wanted, long since, Map<StreamKey, Long> after) {
    }

    /** The answer to a {@link ReplayAsk}. */
    record ReplayAnswer(boolean truncated, List<ChannelMessage> messages, Map<StreamKey, Long> lastSeen) {
    }

    private PeerMessages() {
    }

    static byte[] encodeInterest(InterestNote note) {
        return write(out -> {
            out.writeByte(CONTROL);
            out.writeByte(INTEREST);
            out.writeInt(note.nodeId());
            out.writeUTF(note.start());
            out.writeLong(note.version());
            writeInterest(out, note.interest());
        });
    }

    static byte[] encodeAsk(ReplayAsk ask) {
        return write(out -> {
            out.writeByte(CONTROL);
            out.writeByte(REPLAY_ASK);
            writeInterest(out, ask.wanted());
            out.writeLong(ask.since());
            writeStreams(out, ask.after());
        });
    }

    static byte[] encodeAnswer(ReplayAnswer answer) {
        return write(out -> {
            out.writeByte(CONTROL);
            out.writeByte(REPLAY_ANSWER);
            out.writeBoolean(answer.truncated());
            writeMessages(out, answer.messages());
            writeStreams(out, answer.lastSeen());
        });
    }

    static byte[] encodeMessages(List<ChannelMessage> messages) {
        return write(out -> {
            out.writeByte(MESSAGES);
            writeMessages(out, messages);
        });
    }

    /** The kind of a {@value #CONTROL} message; BAD_REQUEST if it is not one. */
    static int kind(byte[] payload) {
        if (payload.length < 2 || (payload[0] & 0xff) != CONTROL) {
            throw bad("not a channels control message");
        }
        return payload[1];
    }

    static InterestNote decodeInterest(byte[] payload) {
        return read(payload, 2, in -> new InterestNote(in.readInt(), in.readUTF(), in.readLong(), readInterest(in)));
    }

    static ReplayAsk decodeAsk(byte[] payload) {
        return read(payload, 2, in -> new ReplayAsk(readInterest(in), in.readLong(), readStreams(in)));
    }

    static ReplayAnswer decodeAnswer(byte[] payload) {
        return read(payload, 2, in -> new ReplayAnswer(in.readBoolean(), readMessages(in), readStreams(in)));
    }

    static List<ChannelMessage> decodeMessages(byte[] payload) {
        if (payload.length < 1 || (payload[0] & 0xff) != MESSAGES) {
            throw bad("not a channels messages message");
        }
        return read(payload, 1, PeerMessages::readMessages);
    }

    private static void writeInterest(DataOutputStream out, Interest i) throws IOException {
        out.writeInt(i.names().size());
        for (String n : i.names()) {
            out.writeUTF(n);
        }
        List<String> patterns = i.patternTexts();
        out.writeInt(patterns.size());
        for (String p : patterns) {
            out.writeUTF(p);
        }
    }

    private static Interest readInterest(DataInputStream in) throws IOException {
        int n = count(in);
        List<String> names = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            names.add(in.readUTF());
        }
        int p = count(in);
        List<String> patterns = new ArrayList<>(p);
        for (int k = 0; k < p; k++) {
            patterns.add(in.readUTF());
        }
        return Interest.of(names, patterns);
    }

    private static void writeStreams(DataOutputStream out, Map<StreamKey, Long> streams) throws IOException {
        out.writeInt(streams.size());
        for (Map.Entry<StreamKey, Long> e : streams.entrySet()) {
            out.writeUTF(e.getKey().channel());
            out.writeUTF(e.getKey().publisherId());
            out.writeLong(e.getValue());
        }
    }

    private static Map<StreamKey, Long> readStreams(DataInputStream in) throws IOException {
        int n = count(in);
        Map<StreamKey, Long> m = new HashMap<>();
        for (int k = 0; k < n; k++) {
            m.put(new StreamKey(in.readUTF(), in.readUTF()), in.readLong());
        }
        return m;
    }

    private static void writeMessages(DataOutputStream out, List<ChannelMessage> messages) throws IOException {
        out.writeInt(messages.size());
        for (ChannelMessage m : messages) {
            out.writeUTF(m.channel());
            out.writeUTF(m.publisherId());
            out.writeLong(m.sequence());
            out.writeLong(m.publishedAt());
            out.writeInt(m.payload().length);
            out.write(m.payload());
        }
    }

    private static List<ChannelMessage> readMessages(DataInputStream in) throws IOException {
        int n = count(in);
        List<ChannelMessage> out = new ArrayList<>(Math.min(n, 4096));
        // Consecutive messages mostly share channel and publisher: keep one String of each.
        Map<String, String> interned = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            String channel = interned.computeIfAbsent(in.readUTF(), s -> s);
            String publisher = interned.computeIfAbsent(in.readUTF(), s -> s);
            long seq = in.readLong();
            long at = in.readLong();
            int len = in.readInt();
            if (len < 0 || len > in.available()) {
                throw bad("message length " + len + " beyond the payload");
            }
            byte[] payload = new byte[len];
            in.readFully(payload);
            out.add(new ChannelMessage(channel, payload, publisher, seq, at));
        }
        return out;
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw bad("count " + n + " beyond the payload");
        }
        return n;
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] payload, int skip, Reader<T> r) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload, skip, payload.length - skip));
        try {
            return r.read(in);
        } catch (IOException | IllegalArgumentException e) {
            throw bad("malformed channels peer message: " + e.getMessage());
        }
    }

    private static EarthwoException bad(String message) {
        return new EarthwoException(ErrorCode.BAD_REQUEST, message);
    }
}

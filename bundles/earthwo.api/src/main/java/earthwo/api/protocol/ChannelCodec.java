package earthwo.api.protocol;

import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.ChannelNames;
import earthwo.api.channels.Gap;
import earthwo.api.channels.PublishResult;
import earthwo.api.channels.ResumePoint;
import earthwo.api.channels.StreamKey;
import earthwo.api.channels.SubscribeRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The payloads of PUBLISH, SUBSCRIBE and UNSUBSCRIBE (WIRE-PROTOCOL.md §3, §4, §14) and of the frames a
 * node pushes to a subscriber. Decoding checks only the layout and its bounds; what the
 * names and patterns may be is checked where the request is served, so a bad pattern is a typed
 * answer and the connection stays.
 */
final class ChannelCodec {

    /** A name or pattern is at most {@link ChannelNames#MAX_BYTES}; this leaves room to refuse a longer one by name. */
    static final int MAX_NAME_BYTES = 4 * ChannelNames.MAX_BYTES;
    /** The most streams a resume point may name. */
    static final int MAX_RESUME_STREAMS = 100_000;
    private static final int MAX_PUBLISHER_BYTES = 64;
    private static final int MAX_TEXT = 64 * 1024;

    private ChannelCodec() {
    }

    // ---- SUBSCRIBE ----

    static void writeSubscribe(WireWriter w, SubscribeRequest s) {
        w.i32(s.bufferSize());
        writeNames(w, s.channels());
        writeNames(w, s.patterns());
        if (s.resumePoint().isEmpty()) {
            w.u8(0);
            return;
        }
        ResumePoint p = s.resumePoint().get();
        w.u8(1).i64(p.since()).i32(p.lastReceived().size());
        p.lastReceived().forEach((stream, seq) -> w.string(stream.channel()).string(stream.publisherId()).i64(seq));
    }

    static SubscribeRequest readSubscribe(WireReader r) {
        int buffer = r.i32();
        List<String> channels = readNames(r, "channel");
        List<String> patterns = readNames(r, "pattern");
        SubscribeRequest s = SubscribeRequest.ofChannels().withChannels(channels).withPatterns(patterns)
                .withBufferSize(buffer);
        if (!r.flag("hasResume")) {
            return s;
        }
        long since = r.i64();
        int n = r.i32();
        if (n < 0 || n > MAX_RESUME_STREAMS) {
            throw r.bad("a resume point names 0.." + MAX_RESUME_STREAMS + " streams, not " + n);
        }
        Map<StreamKey, Long> last = new HashMap<>(Math.max(16, n * 2));
        for (int i = 0; i < n; i++) {
            String channel = r.string(MAX_NAME_BYTES, "stream channel");
            String publisher = r.string(MAX_PUBLISHER_BYTES, "publisher id");
            last.put(new StreamKey(channel, publisher), r.i64());
        }
        return s.resumingFrom(new ResumePoint(last, since));
    }

    private static void writeNames(WireWriter w, List<String> names) {
        w.i32(names.size());
        names.forEach(w::string);
    }

    private static List<String> readNames(WireReader r, String what) {
        int n = r.i32();
        if (n < 0 || n > SubscribeRequest.MAX_TOPICS) {
            throw r.refused(ErrorCode.TOO_LARGE, "a subscription names at most " + SubscribeRequest.MAX_TOPICS
                    + " channels and patterns, not " + n + " " + what + "s");
        }
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(r.string(MAX_NAME_BYTES, what));
        }
        return names;
    }

    // ---- answers ----

    static void writePublished(WireWriter w, PublishResult p) {
        w.i32(p.nodes()).i32(p.failedNodes()).string(p.publisherId()).i64(p.sequence());
    }

    static PublishResult readPublished(WireReader r) {
        return new PublishResult(r.i32(), r.i32(), r.string(MAX_PUBLISHER_BYTES, "publisher id"), r.i64());
    }

    // ---- pushed frames ----

    static byte[] message(int subscription, ChannelMessage m) {
        WireWriter w = new WireWriter(Frames.LENGTH_BYTES + Frames.HEADER_BYTES + 32 + 2 * m.channel().length()
                + m.publisherId().length() + m.payload().length);
        w.u8(Frames.STATUS_MESSAGE).i32(subscription);
        w.string(m.channel()).string(m.publisherId()).i64(m.sequence()).i64(m.publishedAt()).bytes(m.payload());
        return w.finish();
    }

    static byte[] gap(int subscription, Gap g) {
        WireWriter w = new WireWriter(64 + 2 * g.channel().length());
        w.u8(Frames.STATUS_GAP).i32(subscription);
        w.string(g.channel()).string(g.publisherId()).i64(g.firstMissing()).i64(g.lastMissing());
        return w.finish();
    }

    static byte[] ended(int subscription, ErrorCode code, String message) {
        WireWriter w = new WireWriter(64);
        w.u8(Frames.STATUS_ENDED).i32(subscription);
        w.u8(code == null ? 0 : code.wireCode()).string(message == null ? "" : message);
        return w.finish();
    }

    static Object readPush(int status, WireReader r) {
        switch (status) {
            case Frames.STATUS_MESSAGE: {
                String channel = r.string(MAX_NAME_BYTES, "channel");
                String publisher = r.string(MAX_PUBLISHER_BYTES, "publisher id");
                long seq = r.i64();
                long at = r.i64();
                return new ChannelMessage(channel, r.bytes(Frames.DEFAULT_MAX_FRAME, "payload"), publisher, seq, at);
            }
            case Frames.STATUS_GAP:
                return new Gap(r.string(MAX_NAME_BYTES, "channel"), r.string(MAX_PUBLISHER_BYTES, "publisher id"),
                        r.i64(), r.i64());
            case Frames.STATUS_ENDED: {
                int code = r.u8();
                String message = r.string(MAX_TEXT, "message");
                return new PushFrames.Ended(code == 0 ? null : ErrorCode.fromWire(code), message);
            }
            default:
                throw r.bad("not a pushed frame: status " + status);
        }
    }
}

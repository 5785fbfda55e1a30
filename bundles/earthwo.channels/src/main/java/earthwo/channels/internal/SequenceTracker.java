package earthwo.channels.internal;

import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.channels.StreamKey;

import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/**
 * The last sequence a subscription delivered per stream: it skips what was delivered already (a
 * replay that overlaps live traffic, a resent batch) and names what is missing before a message.
 * Changed by one delivery at a time.
 */
final class SequenceTracker {

    /** What to do with a message: skip it, or deliver it after the gap if there is one. */
    record Decision(boolean deliver, Gap gap) {
        static final Decision SKIP = new Decision(false, null);
        static final Decision DELIVER = new Decision(true, null);
    }

    // Concurrent only so that position() may read it while a delivery runs.
    private final Map<StreamKey, Long> last = new ConcurrentHashMap<>();

    SequenceTracker(Map<StreamKey, Long> start) {
        last.putAll(start);
    }

    /** Decides about the message and, when it is to be delivered, records it as delivered. */
    Decision next(ChannelMessage m) {
        StreamKey key = m.stream();
        Long before = last.get(key);
        if (before != null && m.sequence() <= before) {
            return Decision.SKIP;
        }
        last.put(key, m.sequence());
        // A stream seen for the first time has no gap: the subscriber joined in its middle.
        if (before == null || m.sequence() == before + 1) {
            return Decision.DELIVER;
        }
        return new Decision(true, new Gap(m.channel(), m.publisherId(), before + 1, m.sequence() - 1));
    }

    /**
     * The stream is known to have reached {@code lastSeen} somewhere in the cluster: the messages
     * after the last delivered up to it are lost (a gap, null if none).
     */
    Gap reached(StreamKey stream, long lastSeen) {
        Long before = last.get(stream);
        if (before == null || lastSeen <= before) {
            return null;
        }
        last.put(stream, lastSeen);
        return new Gap(stream.channel(), stream.publisherId(), before + 1, lastSeen);
    }

    Map<StreamKey, Long> snapshot() {
        return Map.copyOf(last);
    }
}

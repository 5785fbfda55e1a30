package earthwo.channels.internal;

import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.StreamKey;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The recent messages of every channel this node published or received, bounded per channel by
 * count and by age (age counted from when this node took the message, so another node's clock
 * does not matter), for subscribers that resume. Beside them, per stream, the highest sequence
 * this node has seen, so it can tell a subscriber how far a stream went after the window lost it.
 */
final class RetentionWindow {

    /** What the window holds after a resume point: messages in arrival order, and how far each stream went. */
    record Slice(List<ChannelMessage> messages, Map<StreamKey, Long> lastSeen, boolean truncated) {
    }

    private record Kept(ChannelMessage message, long takenAt) {
    }

    /** One channel's window; its methods hold its lock. */
    private static final class ChannelWindow {
        final ArrayDeque<Kept> kept = new ArrayDeque<>();
        final Map<String, Long> lastSeen = new HashMap<>();
        long lastTakenAt;
        /** Set when the sweep dropped it: an add that raced with the sweep takes a new one. */
        boolean dropped;
    }

    private final Map<String, ChannelWindow> channels = new ConcurrentHashMap<>();
    private final int maxCount;
    private final long maxAgeMs;
    private final LongSupplier clock;

    RetentionWindow(int maxCount, long maxAgeMs, LongSupplier clock) {
        this.maxCount = maxCount;
        this.maxAgeMs = maxAgeMs;
        this.clock = clock;
    }

    void add(ChannelMessage m) {
        long now = clock.getAsLong();
        while (true) {
            ChannelWindow w = channels.computeIfAbsent(m.channel(), c -> new ChannelWindow());
            synchronized (w) {
                if (!w.dropped) {
                    keep(w, m, now);
                    return;
                }
            }
        }
    }

    /** Called with the window's lock held. */
    private void keep(ChannelWindow w, ChannelMessage m, long now) {
        w.lastSeen.merge(m.publisherId(), m.sequence(), Math::max);
        w.lastTakenAt = now;
        if (maxCount > 0 && maxAgeMs > 0) {
            w.kept.addLast(new Kept(m, now));
        }
        trim(w, now);
    }

    /**
     * Messages of the channels {@code wanted} holds: of a stream in {@code after}, those with a
     * higher sequence; of any other stream, those published at or after {@code since}. At most
     * about {@code maxBytes} of payload ({@code truncated} then says more is there).
     */
    Slice after(Interest wanted, Map<StreamKey, Long> after, long since, long maxBytes) {
        List<ChannelMessage> out = new ArrayList<>();
        Map<StreamKey, Long> lastSeen = new HashMap<>();
        long bytes = 0;
        boolean truncated = false;
        long now = clock.getAsLong();
        for (Map.Entry<String, ChannelWindow> e : channels.entrySet()) {
            if (!wanted.wants(e.getKey())) {
                continue;
            }
            ChannelWindow w = e.getValue();
            synchronized (w) {
                trim(w, now);
                w.lastSeen.forEach((pub, seq) -> lastSeen.put(new StreamKey(e.getKey(), pub), seq));
                for (Kept k : w.kept) {
                    ChannelMessage m = k.message();
                    Long from = after.get(m.stream());
                    boolean wantedHere = from != null ? m.sequence() > from : m.publishedAt() >= since;
                    if (!wantedHere) {
                        continue;
                    }
                    if (bytes + m.payload().length > maxBytes && !out.isEmpty()) {
                        truncated = true;
                        break;
                    }
                    bytes += m.payload().length + 64;
                    out.add(m);
                }
            }
            if (truncated) {
                break;
            }
        }
        return new Slice(out, lastSeen, truncated);
    }

    /** Drops what is too old everywhere, and channels idle for longer than the window with nothing kept. */
    void sweep() {
        long now = clock.getAsLong();
        for (Map.Entry<String, ChannelWindow> e : channels.entrySet()) {
            ChannelWindow w = e.getValue();
            synchronized (w) {
                trim(w, now);
                // Forgetting lastSeen of an idle channel only costs a less precise gap notice later.
                if (w.kept.isEmpty() && now - w.lastTakenAt > Math.max(maxAgeMs, 1) * 6) {
                    w.dropped = true;
                    channels.remove(e.getKey(), w);
                }
            }
        }
    }

    /** Messages kept for the channel now. */
    int retained(String channel) {
        ChannelWindow w = channels.get(channel);
        if (w == null) {
            return 0;
        }
        synchronized (w) {
            return w.kept.size();
        }
    }

    long retainedTotal() {
        long n = 0;
        for (ChannelWindow w : channels.values()) {
            synchronized (w) {
                n += w.kept.size();
            }
        }
        return n;
    }

    private void trim(ChannelWindow w, long now) {
        while (w.kept.size() > maxCount) {
            w.kept.removeFirst();
        }
        while (!w.kept.isEmpty() && now - w.kept.peekFirst().takenAt() > maxAgeMs) {
            w.kept.removeFirst();
        }
    }
}

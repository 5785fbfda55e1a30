package earthwo.channels.internal;

import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.StreamKey;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The recent messages of every channel this node published or received, bounded per channel by
 * count and by age (age counted from when this node took the message, so another node's clock
 * does not matter), for subscribers that resume. Beside them, per stream, the highest sequence
 * this node has seen, so it can tell a subscriber how far a stream went after the window lost it.
 *
 * <p>All channels together keep at most {@code maxBytes} (each message counted by
 * {@link #sizeOf}): a message that takes them over evicts the oldest messages of the node, of
 * whichever channels, down to {@link #lowWater()}, so that one eviction makes room for many
 * messages rather than one.
 */
final class RetentionWindow {

    /** What the window holds after a resume point: messages in arrival order, and how far each stream went. */
    record Slice(List<ChannelMessage> messages, Map<StreamKey, Long> lastSeen, boolean truncated) {
    }

    /** {@code arrival}: the order in which this node took its messages, across channels. */
    private record Kept(ChannelMessage message, long takenAt, long size, long arrival) {
    }

    /** A channel's oldest message as an eviction saw it. */
    private record Head(ChannelWindow window, long arrival) {
    }

    /**
     * What a kept message is counted as besides its payload and channel name: its publisher id
     * and the objects that hold it, roughly.
     */
    static final int MESSAGE_OVERHEAD = 128;

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
    private final long maxBytes;
    private final LongSupplier clock;
    /** Bytes kept by every channel together, changed under the lock of the channel that changed. */
    private final AtomicLong keptBytes = new AtomicLong();
    /** Numbers kept messages: the clock's milliseconds do not tell apart messages taken in one. */
    private final AtomicLong arrivals = new AtomicLong();
    private final LongAdder evicted = new LongAdder();
    private final AtomicBoolean evicting = new AtomicBoolean();

    RetentionWindow(int maxCount, long maxAgeMs, long maxBytes, LongSupplier clock) {
        this.maxCount = maxCount;
        this.maxAgeMs = maxAgeMs;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /** What a kept message counts for against the node's bound. */
    static long sizeOf(ChannelMessage m) {
        return (long) m.payload().length + m.channel().length() + MESSAGE_OVERHEAD;
    }

    void add(ChannelMessage m) {
        long now = clock.getAsLong();
        while (true) {
            ChannelWindow w = channels.computeIfAbsent(m.channel(), c -> new ChannelWindow());
            synchronized (w) {
                if (!w.dropped) {
                    keep(w, m, now);
                    break;
                }
            }
        }
        if (keptBytes.get() > maxBytes) {
            evictOldest();
        }
    }

    /** Called with the window's lock held. */
    private void keep(ChannelWindow w, ChannelMessage m, long now) {
        w.lastSeen.merge(m.publisherId(), m.sequence(), Math::max);
        w.lastTakenAt = now;
        if (maxCount > 0 && maxAgeMs > 0) {
            Kept k = new Kept(m, now, sizeOf(m), arrivals.incrementAndGet());
            w.kept.addLast(k);
            keptBytes.addAndGet(k.size());
        }
        trim(w, now);
    }

    /** Where an eviction stops: a sixteenth below the bound. */
    long lowWater() {
        return maxBytes - maxBytes / 16;
    }

    /**
     * Evicts the node's oldest messages until the windows hold no more than {@link #lowWater()}.
     * One thread evicts at a time; another that finds the bound passed meanwhile leaves it to
     * that one, which looks again before it stops.
     */
    private void evictOldest() {
        while (keptBytes.get() > maxBytes && evicting.compareAndSet(false, true)) {
            try {
                evictDownTo(lowWater());
            } finally {
                evicting.set(false);
            }
        }
    }

    /**
     * Oldest first across channels: each channel's oldest message is queued by its arrival;
     * the first out is evicted and its channel queued again with its next one. No two window locks
     * are held at once, so this cannot deadlock with a publish, a sweep or a replay, which hold one.
     */
    private void evictDownTo(long target) {
        PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparingLong(Head::arrival));
        for (ChannelWindow w : channels.values()) {
            synchronized (w) {
                Kept first = w.kept.peekFirst();
                if (first != null) {
                    heads.add(new Head(w, first.arrival()));
                }
            }
        }
        long n = 0;
        while (keptBytes.get() > target && !heads.isEmpty()) {
            Head h = heads.poll();
            ChannelWindow w = h.window();
            synchronized (w) {
                Kept first = w.kept.peekFirst();
                if (first == null) {
                    continue;
                }
                if (first.arrival() != h.arrival()) { // trimmed meanwhile: its place in the order changed
                    heads.add(new Head(w, first.arrival()));
                    continue;
                }
                dropFirst(w);
                n++;
                Kept next = w.kept.peekFirst();
                if (next != null) {
                    heads.add(new Head(w, next.arrival()));
                }
            }
        }
        evicted.add(n);
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

    /** What the windows hold together, as counted against the node's bound. */
    long retainedBytes() {
        return keptBytes.get();
    }

    /** Messages evicted by the node's bound (not by a channel's count or age). */
    long evicted() {
        return evicted.sum();
    }

    /** Channels with a window (kept messages, or how far their streams went). */
    int channelCount() {
        return channels.size();
    }

    private void trim(ChannelWindow w, long now) {
        while (w.kept.size() > maxCount) {
            dropFirst(w);
        }
        while (!w.kept.isEmpty() && now - w.kept.peekFirst().takenAt() > maxAgeMs) {
            dropFirst(w);
        }
    }

    /** Called with the window's lock held. */
    private void dropFirst(ChannelWindow w) {
        keptBytes.addAndGet(-w.kept.removeFirst().size());
    }
}

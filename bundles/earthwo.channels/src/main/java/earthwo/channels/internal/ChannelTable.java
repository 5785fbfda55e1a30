package earthwo.channels.internal;

import earthwo.api.channels.PublisherIds;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * The channels this node knows (published, received, or counted for a subscriber), each with its
 * {@link ChannelCounters}, and the forgetting of those that fell idle, so the table does not grow
 * with every channel name ever used.
 *
 * <p>A publisher's sequence on a channel must never start again under the same id: subscribers
 * elsewhere, and resume points, still hold the last sequence they saw of it and would skip the new
 * messages as duplicates. So when the table forgets a channel this node published on under the
 * current publisher id, it first draws a new id for the channels it creates from then on: a
 * channel published on again is a new stream, which subscribers take as a publisher that started
 * meanwhile ({@link earthwo.api.channels.ResumePoint}). Channels still held keep their id.
 */
final class ChannelTable {

    private final int nodeId;
    private final RandomGenerator random;
    private final LongSupplier clock;
    private final Map<String, ChannelCounters> channels = new ConcurrentHashMap<>();
    private final LongAdder forgotten = new LongAdder();
    private volatile String publisherId;

    ChannelTable(int nodeId, String firstPublisherId, RandomGenerator random, LongSupplier clock) {
        this.nodeId = nodeId;
        this.publisherId = firstPublisherId;
        this.random = random;
        this.clock = clock;
    }

    /** The channel's counters, made if it has none. A publish must check {@link ChannelCounters#forgotten} under its lock. */
    ChannelCounters get(String channel) {
        return channels.computeIfAbsent(channel, n -> new ChannelCounters(n, publisherId, clock.getAsLong()));
    }

    /** The channel's counters, or null. */
    ChannelCounters find(String channel) {
        return channels.get(channel);
    }

    Set<String> names() {
        return channels.keySet();
    }

    int size() {
        return channels.size();
    }

    /** The id a channel made now would publish under. */
    String publisherId() {
        return publisherId;
    }

    long forgottenCount() {
        return forgotten.sum();
    }

    /**
     * Forgets each channel {@code idle} holds for, tested under the channel's lock so that no
     * publish on it runs meanwhile. Returns how many it forgot.
     */
    int forget(Predicate<ChannelCounters> idle) {
        int n = 0;
        for (ChannelCounters c : channels.values()) {
            synchronized (c) {
                if (c.forgotten || !idle.test(c)) {
                    continue;
                }
                // Drawn before the channel leaves the map, so its next counters take the new id.
                if (c.lastSequence > 0 && c.publisherId.equals(publisherId)) {
                    publisherId = PublisherIds.draw(nodeId, random);
                }
                c.forgotten = true;
                channels.remove(c.name, c);
                n++;
            }
        }
        forgotten.add(n);
        return n;
    }
}

package earthwo.channels.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * One channel on this node: the figures {@code channel:list} shows, and this node's stream on it
 * (the publisher id its messages carry and the last sequence given). Held by the
 * {@link ChannelTable} while the channel is in use; see there for how it is forgotten.
 */
final class ChannelCounters {

    final String name;
    /** The id this node's messages on the channel carry, for as long as this object lives. */
    final String publisherId;
    final LongAdder published = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder cutOff = new LongAdder();
    /** The last sequence this node's publisher gave on the channel; guarded by this object's lock. */
    long lastSequence;
    /** Set under this object's lock when the table forgot it: a publish that raced with that takes a new one. */
    boolean forgotten;
    /** When a message was last published here or received for the channel (epoch ms). */
    volatile long lastTraffic;

    ChannelCounters(String name, String publisherId, long now) {
        this.name = name;
        this.publisherId = publisherId;
        this.lastTraffic = now;
    }
}

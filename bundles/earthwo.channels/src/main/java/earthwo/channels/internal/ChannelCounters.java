package earthwo.channels.internal;

import earthwo.api.channels.PublisherIds;

import java.util.concurrent.atomic.LongAdder;

/**
 * One channel on this node: the figures {@code channel:list} shows, and the sequence of this
 * node's publisher on it. Kept for as long as the component runs, because the sequence must never
 * start again under the same publisher id ({@link PublisherIds}).
 */
final class ChannelCounters {

    final String name;
    final LongAdder published = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder cutOff = new LongAdder();
    /** The last sequence this node's publisher gave on the channel; guarded by this object's lock. */
    long lastSequence;

    ChannelCounters(String name) {
        this.name = name;
    }
}

package earthwo.replication.internal;

import earthwo.api.Record;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.SegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Frees the disk space of segments this node no longer holds (R lowered, a replica moved to a
 * joining node): once a segment has not been held for {@code delayMillis}, its records are
 * removed from the local store. The delay keeps the copy through short map changes (and for an
 * operator who changes their mind); a segment held again before it ran is left alone, and a
 * replica added back later starts as syncing and takes the master's copy anyway.
 */
final class DroppedReplicaCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(DroppedReplicaCleaner.class);
    private static final int PAGE = 1000;

    private final SegmentStore store;
    private final Supplier<SegmentMap> map;
    private final int self;
    private final long delayMillis;
    private final LongSupplier clock;
    /** Segment → since when (clock ms) this node has not held it, as far as it has seen. */
    private final Map<Integer, Long> notHeldSince = new ConcurrentHashMap<>();
    final LongAdder segmentsCleared = new LongAdder();
    final LongAdder recordsRemoved = new LongAdder();

    DroppedReplicaCleaner(SegmentStore store, Supplier<SegmentMap> map, int self, long delayMillis, LongSupplier clock) {
        this.store = store;
        this.map = map;
        this.self = self;
        this.delayMillis = delayMillis;
        this.clock = clock;
    }

    /** Notes which segments this node holds under a new map. */
    void onMap(SegmentMap m) {
        long now = clock.getAsLong();
        for (int s = 0; s < m.segmentCount(); s++) {
            if (m.isReplica(s, self)) {
                notHeldSince.remove(s);
            } else {
                notHeldSince.putIfAbsent(s, now);
            }
        }
    }

    /** Clears every segment not held for the delay that still has records; returns records removed. */
    long runOnce() {
        long now = clock.getAsLong();
        long removed = 0;
        for (Map.Entry<Integer, Long> e : notHeldSince.entrySet()) {
            int segment = e.getKey();
            SegmentMap m = map.get();
            if (now - e.getValue() < delayMillis || m == null || segment >= m.segmentCount()
                    || m.isReplica(segment, self) || store.count(segment) == 0) {
                continue;
            }
            long n = clear(segment, m);
            if (n > 0) {
                segmentsCleared.increment();
                recordsRemoved.add(n);
                removed += n;
                LOG.info("node {} segment {}: removed {} records of a replica this node has not held for {} ms "
                        + "(map epoch {}, replicas {})", self, segment, n, now - e.getValue(), m.epoch(), m.replicas(segment));
            }
        }
        return removed;
    }

    /** Removes the segment's records page by page; stops if the segment is held again meanwhile. */
    private long clear(int segment, SegmentMap startedUnder) {
        long removed = 0;
        byte[] after = null;
        while (true) {
            SegmentMap m = map.get();
            if (m != startedUnder && m.isReplica(segment, self)) {
                LOG.info("node {} segment {}: held again under map epoch {}, stopped removing its records", self,
                        segment, m.epoch());
                return removed;
            }
            List<Record> page = store.scan(segment, new byte[0], after, PAGE);
            for (Record r : page) {
                if (store.purge(segment, r)) {
                    removed++;
                }
            }
            if (page.size() < PAGE) {
                return removed;
            }
            after = page.get(page.size() - 1).key();
        }
    }
}

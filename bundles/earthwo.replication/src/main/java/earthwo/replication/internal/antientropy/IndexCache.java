package earthwo.replication.internal.antientropy;

import earthwo.api.storage.SegmentStore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each segment's last {@link SegmentIndex} while the store reports the segment unchanged
 * ({@link SegmentStore#changeCount}), so that a pass over a segment nobody wrote to since costs
 * hashing the index in memory instead of scanning the store: on a cluster at rest, passes every
 * interval then read nothing from disk or cache.
 *
 * <p>One cache serves both sides of anti-entropy on a node (the master's passes and the answers
 * to other masters). An index is rebuilt at least every quarter of the tombstone grace anyway:
 * its list of old tombstones was taken with the cutoff of its build time (so a tombstone waits at
 * most that much longer for its purge: it lives at most 1.25 × grace), and the rebuild bounds the
 * life of anything a store failed to count. The memory
 * held is 20 bytes per record of the cached segments; indexes past their age are dropped.
 */
final class IndexCache {

    private record Cached(SegmentIndex index, long changeCount) {
    }

    private final SegmentStore store;
    private final long graceMillis;
    private final long maxAgeMillis;
    private final AeStats stats;
    private final Map<Integer, Cached> cached = new ConcurrentHashMap<>();

    IndexCache(SegmentStore store, long graceMillis, AeStats stats) {
        this.store = store;
        this.graceMillis = graceMillis;
        this.maxAgeMillis = Math.max(1, graceMillis / 4);
        this.stats = stats;
    }

    /**
     * The segment's index as of now, tombstones older than the grace listed: the cached one if
     * the segment did not change, else a new scan.
     */
    SegmentIndex get(int segment, long now) {
        // Read before the scan: a change during the scan makes the next call build again.
        long changes = store.changeCount(segment);
        Cached c = cached.get(segment);
        if (changes >= 0 && c != null && c.changeCount == changes && fresh(c.index, now)) {
            stats.indexesReused.increment();
            return c.index;
        }
        cached.values().removeIf(old -> !fresh(old.index, now));
        SegmentIndex index = SegmentIndex.build(store, segment, now - graceMillis, now);
        stats.indexesBuilt.increment();
        if (changes >= 0) {
            cached.put(segment, new Cached(index, changes));
        } else {
            cached.remove(segment);
        }
        return index;
    }

    private boolean fresh(SegmentIndex index, long now) {
        long age = now - index.builtAt;
        return age >= 0 && age < maxAgeMillis;
    }
}

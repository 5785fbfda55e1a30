package earthwo.ttl.internal;

import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.SegmentStore;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Counts from the store's expiry index for the "ttl" status: keys with an expiry in the segments
 * this node holds, how many of them have expired but are not reaped yet, and the index entries of
 * every segment in the store (segments no longer held included, until they are dropped).
 *
 * <p>Expired entries are counted by listing them ({@link SegmentStore#expiring}), so the count
 * stops at {@link #unreapedCap}. The result is kept for {@value #MAX_AGE_MS} ms: status may be
 * polled often (console, exec loops) and each count reads every segment's index.
 */
final class ExpiryCensus {

    static final int UNREAPED_CAP = 100_000;
    static final long MAX_AGE_MS = 1_000;

    /** The counts; {@code unreapedCapped} when there are at least {@code expiredUnreaped}. */
    record Counts(long keysWithExpiry, long expiredUnreaped, boolean unreapedCapped, long indexEntries) {

        /** The expired-not-reaped count as shown: the number, or {@code >=cap} beyond the cap. */
        Object unreapedShown() {
            return unreapedCapped ? ">=" + expiredUnreaped : expiredUnreaped;
        }
    }

    private final SegmentStore store;
    private final ClusterView cluster;
    private final LongSupplier clock;
    private final int unreapedCap;
    private Counts cached;
    private long cachedAt;

    ExpiryCensus(SegmentStore store, ClusterView cluster, LongSupplier clock) {
        this(store, cluster, clock, UNREAPED_CAP);
    }

    ExpiryCensus(SegmentStore store, ClusterView cluster, LongSupplier clock, int unreapedCap) {
        this.store = store;
        this.cluster = cluster;
        this.clock = clock;
        this.unreapedCap = unreapedCap;
    }

    /** The counts, at most {@value #MAX_AGE_MS} ms old. Throws what the store throws. */
    synchronized Counts counts() {
        long now = clock.getAsLong();
        if (cached == null || now - cachedAt >= MAX_AGE_MS || now < cachedAt) {
            cached = count(now);
            cachedAt = now;
        }
        return cached;
    }

    private Counts count(long now) {
        SegmentMap map = cluster.currentMap();
        List<Integer> held = map.segmentsOf(cluster.localNodeId());
        long withExpiry = 0;
        long unreaped = 0;
        for (int s : held) {
            withExpiry += store.expiryIndexSize(s);
            if (unreaped < unreapedCap) {
                unreaped += store.expiring(s, now, (int) (unreapedCap - unreaped)).size();
            }
        }
        long entries = 0;
        for (int s = 0; s < store.segmentCount(); s++) {
            entries += store.expiryIndexSize(s);
        }
        return new Counts(withExpiry, unreaped, unreaped >= unreapedCap, entries);
    }
}

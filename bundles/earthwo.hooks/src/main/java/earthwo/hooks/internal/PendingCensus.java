package earthwo.hooks.internal;

import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.storage.SegmentStore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A hook's backlog for hook:list and the status: events after its position in the segments this
 * node masters, and the age of the oldest of them. Counted by reading the events, so the count
 * stops at the cap (shown {@code >=cap}); kept {@value #MAX_AGE_MS} ms per hook, since
 * status may be polled often and each count reads every mastered segment's outbox.
 */
final class PendingCensus {

    static final int CAP = 10_000;
    static final long MAX_AGE_MS = 1_000;

    /** The backlog; {@code oldestAgeMs} -1 when there is none. */
    record Counts(long pending, boolean capped, long oldestAgeMs) {

        Object pendingShown() {
            return capped ? ">=" + pending : pending;
        }
    }

    /** {@code atNanos}: {@link System#nanoTime()} of the count, so the cache ages with real time whatever the wall clock does. */
    private record Cached(Counts counts, long atNanos) {
    }

    private final SegmentStore store;
    private final ClusterView cluster;
    private final LongSupplier clock;
    private final int cap;
    private final Map<String, Cached> cache = new HashMap<>();

    PendingCensus(SegmentStore store, ClusterView cluster, LongSupplier clock) {
        this(store, cluster, clock, CAP);
    }

    PendingCensus(SegmentStore store, ClusterView cluster, LongSupplier clock, int cap) {
        this.store = store;
        this.cluster = cluster;
        this.clock = clock;
        this.cap = cap;
    }

    /** The backlog of the hook {@code name} whose positions are {@code positions}. Throws what the store throws. */
    synchronized Counts counts(String name, Map<Integer, Version> positions) {
        long nanos = System.nanoTime();
        Cached c = cache.get(name);
        if (c == null || nanos - c.atNanos() >= MAX_AGE_MS * 1_000_000) {
            c = new Cached(count(positions, clock.getAsLong()), nanos);
            cache.put(name, c);
        }
        return c.counts();
    }

    private Counts count(Map<Integer, Version> positions, long now) {
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        long pending = 0;
        long oldest = Long.MAX_VALUE;
        for (int s = 0; s < map.segmentCount(); s++) {
            if (!cluster.isMaster(s) || map.isSyncing(s, self)) {
                continue;
            }
            // Past the cap, one event per segment still finds the oldest.
            int limit = (int) Math.max(1, cap - pending);
            List<KeyEvent> events = store.events(s, positions.getOrDefault(s, Version.ZERO), limit);
            pending = Math.min(cap, pending + events.size());
            if (!events.isEmpty()) {
                oldest = Math.min(oldest, events.get(0).version().wallMillis());
            }
        }
        return new Counts(pending, pending >= cap, oldest == Long.MAX_VALUE ? -1 : Math.max(0, now - oldest));
    }
}

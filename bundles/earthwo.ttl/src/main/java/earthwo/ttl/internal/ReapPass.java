package earthwo.ttl.internal;

import earthwo.api.logging.RateLimitedLog;
import earthwo.api.Record;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.ExpiryEntry;
import earthwo.api.storage.SegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * One pass of the reaper over the segments this node masters (and is not syncing, and whose copy
 * here is known to be complete: see {@link ReapGate}): reads a batch
 * of expired entries from each segment's expiry index and reaps those whose record is still
 * stored with that expiry and has expired.
 *
 * <p>Only a master reaps: a replica deletes an expired key only when the master's tombstone
 * reaches it, so the expiry fires once and every replica agrees. After a failover the new master
 * finds the entries in its own index.
 *
 * <p>Segments are visited round-robin, one batch per visit: a segment whose batch came back full
 * goes back to the end of the queue, so it is drained within the pass while a segment with a
 * backlog cannot starve the others.
 *
 * <p>The index has no cursor: every read starts at its head, where the keys whose reap failed
 * (or is still running) stay. Such a key is reaped at most once per pass, and the segment's next
 * read asks for that many entries more, so it gets past them. Once a batch's worth of a segment's
 * keys is stuck so, the segment is left to the next pass rather than read ever further.
 */
final class ReapPass {

    private static final Logger LOG = LoggerFactory.getLogger(ReapPass.class);

    private final SegmentStore store;
    private final ClusterView cluster;
    private final ReapGate gate;
    private final ReapDispatcher dispatcher;
    private final ReapStats stats;
    private final LongSupplier clock;
    private final int batch;
    private final BooleanSupplier stopping;
    private final RateLimitedLog errorLog;

    /** What the last pass found waiting for anti-entropy (logged when it changes). */
    private ReapGate.Awaiting lastAwaiting = new ReapGate.Awaiting(0, false);

    ReapPass(SegmentStore store, ClusterView cluster, ReapGate gate, ReapDispatcher dispatcher, ReapStats stats,
             LongSupplier clock, int batch, BooleanSupplier stopping, RateLimitedLog errorLog) {
        this.store = store;
        this.cluster = cluster;
        this.gate = gate;
        this.dispatcher = dispatcher;
        this.stats = stats;
        this.clock = clock;
        this.batch = batch;
        this.stopping = stopping;
        this.errorLog = errorLog;
    }

    /** Runs one pass; returns the number of reaps it started. */
    long run() {
        noteAwaiting(gate.awaiting());
        Deque<Integer> queue = new ArrayDeque<>();
        SegmentMap map = cluster.currentMap();
        for (int s = 0; s < map.segmentCount(); s++) {
            if (gate.reapsIn(s)) {
                queue.add(s);
            }
        }
        // Per segment, the keys reaped in this pass and not (yet) deleted: not reaped again in it.
        Map<Integer, Set<SegmentKey>> tried = new HashMap<>();
        long started = 0;
        while (!queue.isEmpty() && !stopping.getAsBoolean()) {
            int segment = queue.poll();
            if (!gate.reapsIn(segment)) {
                continue; // mastership moved during the pass, or anti-entropy no longer confirms the copy
            }
            Set<SegmentKey> stuck = tried.computeIfAbsent(segment, s -> ConcurrentHashMap.newKeySet());
            Visit v;
            try {
                v = visit(segment, stuck);
            } catch (RuntimeException e) {
                stats.errors.increment();
                long n = errorLog.event();
                if (n > 0) {
                    LOG.warn("node {} segment {}: the reaper could not read the segment: {}; a later pass tries"
                            + " again ({} such errors since the last line about them)", cluster.localNodeId(), segment,
                            ReapDispatcher.describe(e), n);
                }
                continue;
            }
            started += v.started;
            if (v.full && v.started > 0 && stuck.size() < batch) {
                queue.add(segment);
            }
        }
        return started;
    }

    /** What one visit of a segment found. */
    private record Visit(boolean full, long started) {
    }

    /** Reads up to a batch of entries past the segment's {@code stuck} keys and reaps them. */
    private Visit visit(int segment, Set<SegmentKey> stuck) {
        long now = clock.getAsLong();
        int limit = batch + stuck.size();
        List<ExpiryEntry> entries = store.expiring(segment, now, limit);
        long started = 0;
        for (ExpiryEntry e : entries) {
            if (stopping.getAsBoolean()) {
                break;
            }
            SegmentKey k = new SegmentKey(segment, e.key());
            if (stuck.contains(k) || dispatcher.isInFlight(segment, e.key())) {
                continue;
            }
            Record r = stillExpired(segment, e, now);
            if (r == null) {
                stats.skipped.increment();
                continue;
            }
            stuck.add(k);
            ReapDispatcher.Issued issued = dispatcher.reap(segment, r, () -> stuck.remove(k));
            if (issued == ReapDispatcher.Issued.CLOSING) {
                break;
            }
            if (issued == ReapDispatcher.Issued.STARTED) {
                started++;
            }
        }
        return new Visit(entries.size() >= limit, started);
    }

    /**
     * The key's stored record if it still has the entry's expiry and has expired by {@code now};
     * null if it was re-put, its expiry changed, it was deleted, or it is gone.
     */
    private Record stillExpired(int segment, ExpiryEntry e, long now) {
        Optional<Record> stored = store.read(segment, e.key());
        if (stored.isEmpty()) {
            return null;
        }
        Record r = stored.get();
        return !r.isTombstone() && r.expiresAt() == e.expiresAt() && r.isExpiredAt(now) ? r : null;
    }

    /**
     * Logs when segments start or stop waiting for anti-entropy: at info when some start waiting or
     * the last one stops, else (the count moving as passes confirm segments) at debug.
     */
    private void noteAwaiting(ReapGate.Awaiting now) {
        ReapGate.Awaiting before = lastAwaiting;
        if (now.equals(before)) {
            return;
        }
        lastAwaiting = now;
        int self = cluster.localNodeId();
        if (now.segments() == 0 && before.segments() == 0) {
            return; // only the service came or went: nothing waits either way
        }
        if (now.segments() == 0) {
            LOG.info("node {}: every segment it masters is confirmed complete here; reaping them", self);
        } else if (before.segments() == 0 || now.replicaSyncAbsent() != before.replicaSyncAbsent()) {
            LOG.info("node {}: {} segments it masters are not reaped until anti-entropy confirms this node's copy in"
                    + " sync with another replica{}", self, now.segments(),
                    now.replicaSyncAbsent() ? " (no ReplicaSync service: anti-entropy is not active)" : "");
        } else {
            LOG.debug("node {}: {} segments it masters wait for anti-entropy before they are reaped", self,
                    now.segments());
        }
    }
}

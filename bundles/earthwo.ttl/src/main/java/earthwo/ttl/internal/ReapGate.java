package earthwo.ttl.internal;

import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.ReplicaSync;
import earthwo.api.cluster.SegmentMap;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Decides in which segments this node reaps: those it masters (and may act for), is not syncing,
 * and whose copy here is known to be complete. A reap writes a tombstone with a new version, so a
 * master that reaps from a stale copy expires a key again that another replica already reaped
 * (a second EXPIRED event with another id): a node restarted after a failover masters some of its
 * segments again before anti-entropy brought it the tombstones the new masters wrote meanwhile,
 * and a restarted node's replicas are not marked syncing.
 *
 * <p>The copy is known complete when the segment has no other replica in the current map (R=1,
 * e.g. a single node), or when anti-entropy confirmed it in sync with another replica since this
 * node started ({@link ReplicaSync#confirmedInSync}). A replica that was in sync before its master
 * died stays confirmed, so the new master after a failover reaps at once. Once confirmed, a
 * segment stays so for the life of this gate: under steady writes a later pass may find
 * differences (writes in flight) and clear anti-entropy's mark, but the copy was complete once
 * and replication keeps it current, so reaping must not stall then. Without the ReplicaSync
 * service (the replication bundle's anti-entropy is not active) a segment with other replicas is
 * not reaped until it was confirmed.
 */
final class ReapGate {

    /** Segments this node masters that wait for anti-entropy before it reaps them. */
    record Awaiting(int segments, boolean replicaSyncAbsent) {
    }

    private final ClusterView cluster;
    private final Supplier<ReplicaSync> replicaSync;
    /** Segments confirmed in sync at least once since this gate was made. */
    private final Set<Integer> confirmedOnce = ConcurrentHashMap.newKeySet();

    /** {@code replicaSync} gives the current ReplicaSync service, or null while there is none. */
    ReapGate(ClusterView cluster, Supplier<ReplicaSync> replicaSync) {
        this.cluster = cluster;
        this.replicaSync = replicaSync;
    }

    /** True if this node reaps the segment now. */
    boolean reapsIn(int segment) {
        SegmentMap map = cluster.currentMap();
        return mastered(map, segment) && copyComplete(map, segment, replicaSync.get());
    }

    /** The segments this node masters (not syncing) but does not reap until their copy is confirmed. */
    Awaiting awaiting() {
        SegmentMap map = cluster.currentMap();
        ReplicaSync sync = replicaSync.get();
        int n = 0;
        for (int s = 0; s < map.segmentCount(); s++) {
            if (mastered(map, s) && !copyComplete(map, s, sync)) {
                n++;
            }
        }
        return new Awaiting(n, sync == null);
    }

    /** It masters the segment (not fenced) and is not syncing it. */
    private boolean mastered(SegmentMap map, int segment) {
        return segment < map.segmentCount() && cluster.isMaster(segment)
                && !map.isSyncing(segment, cluster.localNodeId());
    }

    private boolean copyComplete(SegmentMap map, int segment, ReplicaSync sync) {
        int self = cluster.localNodeId();
        boolean others = false;
        for (int r : map.replicas(segment)) {
            if (r != self) {
                others = true;
                break;
            }
        }
        if (!others || confirmedOnce.contains(segment)) {
            return true;
        }
        if (sync == null) {
            return false;
        }
        try {
            if (sync.confirmedInSync(segment)) {
                confirmedOnce.add(segment);
                return true;
            }
            return false;
        } catch (RuntimeException e) {
            return false; // a failing service confirms nothing; the next pass asks again
        }
    }
}

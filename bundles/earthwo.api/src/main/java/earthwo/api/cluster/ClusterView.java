package earthwo.api.cluster;

import org.osgi.annotation.versioning.ProviderType;

import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The control plane as seen by one node (registered by the cluster bundle): who this node is,
 * the current segment map, and whether the node is connected to ZooKeeper and the controller.
 */
@ProviderType
public interface ClusterView {

    /** This node's id, stable across restarts (kept in the data directory). */
    int localNodeId();

    /** The cluster's name. */
    String clusterName();

    /** The last segment map this node has seen; never null once the service is registered. */
    SegmentMap currentMap();

    /** True while this node holds a ZooKeeper session. */
    boolean isConnected();

    /**
     * True if this node is the segment's master under the current map <em>and</em> may act as
     * one: it holds a ZooKeeper session and the current map was written for that session. A node
     * whose session was lost or expired is fenced — it stops acting as master (anti-entropy
     * passes, master-only duties) until the controller publishes a map for its new session, i.e.
     * until it is re-elected. Writes and reads are not affected (any replica takes them).
     */
    boolean isMaster(int segment);

    /**
     * Tells the controller that this node's syncing replica of the segment has caught up
     * (anti-entropy with the master found it in sync), so the next map makes it serve. Ignored if
     * this node is not syncing that segment under the current map, or if the master's pass ran
     * under a map older than the one that made this replica syncing.
     *
     * @param passEpoch the epoch of the map the master's anti-entropy pass ran under
     */
    void markCaughtUp(int segment, long passEpoch);

    /** The id of the node that is controller, or -1 if unknown. */
    int controllerId();

    /**
     * Calls the listener with every new map (and at once with the current one). The returned
     * handle removes it; listeners must be removed when their owner deactivates.
     */
    AutoCloseable onMapChange(Consumer<SegmentMap> listener);

    /**
     * How far ZooKeeper's clock is ahead of this node's system clock, in ms (negative: behind),
     * as last measured; empty before the first measurement. ZooKeeper's clock is the one every
     * node shares, so a node compares its own clock with it to notice that it jumped.
     */
    default OptionalLong referenceClockOffsetMillis() {
        return OptionalLong.empty();
    }

    /**
     * Changes the replica count R of the cluster at runtime; the controller adds or drops
     * replicas segment by segment. Fails with UNAVAILABLE when ZooKeeper is unreachable.
     */
    void setReplicationFactor(int replicas);

    /**
     * Pins the master of a segment to a node (which must be one of its replicas, or becomes one):
     * the controller keeps that node first in the segment's replica list. {@code nodeId} -1
     * removes the pin.
     */
    void pinMaster(int segment, int nodeId);

    /** Sets how segments reconcile after a partition (cluster-wide). */
    void setReconcilePolicy(ReconcilePolicy policy);

    /** The cluster's reconcile policy (MERGE unless set). */
    ReconcilePolicy reconcilePolicy();
}

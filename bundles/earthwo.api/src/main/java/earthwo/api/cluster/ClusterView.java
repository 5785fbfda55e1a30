package earthwo.api.cluster;

import java.util.function.Consumer;

/**
 * The control plane as seen by one node (registered by the cluster bundle): who this node is,
 * the current segment map, and whether the node is connected to ZooKeeper and the controller.
 */
public interface ClusterView {

    /** This node's id, stable across restarts (kept in the data directory). */
    int localNodeId();

    /** The cluster's name. */
    String clusterName();

    /** The last segment map this node has seen; never null once the service is registered. */
    SegmentMap currentMap();

    /** True while this node holds a ZooKeeper session. */
    boolean isConnected();

    /** The id of the node that is controller, or -1 if unknown. */
    int controllerId();

    /**
     * Calls the listener with every new map (and at once with the current one). The returned
     * handle removes it; listeners must be removed when their owner deactivates.
     */
    AutoCloseable onMapChange(Consumer<SegmentMap> listener);
}

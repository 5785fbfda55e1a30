package earthwo.replication.internal;

import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A control plane frozen on one map, for tests of the data path alone. */
final class FixedClusterView implements ClusterView {

    private final int nodeId;
    private final SegmentMap map;

    FixedClusterView(int nodeId, SegmentMap map) {
        this.nodeId = nodeId;
        this.map = map;
    }

    /** One node that holds and masters every segment. */
    static FixedClusterView singleNode(int nodeId, int segments) {
        return withReplicas(nodeId, segments, List.of(nodeId));
    }

    /** Every segment has the same replica list. */
    static FixedClusterView withReplicas(int nodeId, int segments, List<Integer> replicas) {
        List<List<Integer>> all = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            all.add(replicas);
        }
        return new FixedClusterView(nodeId, new SegmentMap(1, replicas.size(), all,
                Map.of(nodeId, new NodeInfo(nodeId, "127.0.0.1", 7380))));
    }

    @Override
    public int localNodeId() {
        return nodeId;
    }

    @Override
    public String clusterName() {
        return "test";
    }

    @Override
    public SegmentMap currentMap() {
        return map;
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public int controllerId() {
        return nodeId;
    }

    @Override
    public boolean isMaster(int segment) {
        return currentMap().master(segment) == localNodeId();
    }

    @Override
    public void markCaughtUp(int segment, long passEpoch) {
    }

    @Override
    public void setReplicationFactor(int replicas) {
        throw new UnsupportedOperationException("the test map is fixed");
    }

    @Override
    public void pinMaster(int segment, int nodeId) {
        throw new UnsupportedOperationException("the test map is fixed");
    }

    @Override
    public void setReconcilePolicy(earthwo.api.cluster.ReconcilePolicy policy) {
        throw new UnsupportedOperationException("the test map is fixed");
    }

    @Override
    public earthwo.api.cluster.ReconcilePolicy reconcilePolicy() {
        return earthwo.api.cluster.ReconcilePolicy.MERGE;
    }

    @Override
    public AutoCloseable onMapChange(Consumer<SegmentMap> listener) {
        listener.accept(map);
        return () -> { };
    }
}

package earthwo.server.internal;

import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.SegmentMap;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** A cluster view whose map is set by the test: node ids to real host:port pairs, one segment. */
final class FixedClusterView implements ClusterView {

    private final int localNodeId;
    private volatile SegmentMap map;

    FixedClusterView(int localNodeId, SegmentMap map) {
        this.localNodeId = localNodeId;
        this.map = map;
    }

    /** A map with the given nodes at 127.0.0.1 and one segment replicated on all of them. */
    static SegmentMap mapOf(long epoch, Map<Integer, Integer> portsByNode) {
        Map<Integer, NodeInfo> nodes = new TreeMap<>();
        portsByNode.forEach((id, port) -> nodes.put(id, new NodeInfo(id, "127.0.0.1", port)));
        return new SegmentMap(epoch, nodes.size(), List.of(List.copyOf(nodes.keySet())), nodes);
    }

    void setMap(SegmentMap map) {
        this.map = map;
    }

    @Override
    public int localNodeId() {
        return localNodeId;
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
        return localNodeId;
    }

    @Override
    public boolean isMaster(int segment) {
        return currentMap().master(segment) == localNodeId();
    }

    @Override
    public void markCaughtUp(int segment, long passEpoch) {
    }

    @Override
    public AutoCloseable onMapChange(Consumer<SegmentMap> listener) {
        listener.accept(map);
        return () -> { };
    }

    @Override
    public void setReplicationFactor(int replicas) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void pinMaster(int segment, int nodeId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void setReconcilePolicy(ReconcilePolicy policy) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ReconcilePolicy reconcilePolicy() {
        return ReconcilePolicy.MERGE;
    }
}

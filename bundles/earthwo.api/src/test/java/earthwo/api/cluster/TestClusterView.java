package earthwo.api.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A control plane for tests of the bundles that use one: the test sets the segment map, the
 * ZooKeeper connection, the controller and whether this node is fenced, and reads back what the
 * code under test asked of the cluster (replica count, pins, policy, segments reported caught up).
 * Shared with the other bundles' tests through this module's test jar.
 */
public class TestClusterView implements ClusterView {

    private final int localNodeId;
    private final List<Consumer<SegmentMap>> listeners = new CopyOnWriteArrayList<>();
    private final Map<Integer, Integer> pins = new ConcurrentHashMap<>();
    private final Set<Integer> caughtUp = ConcurrentHashMap.newKeySet();
    private volatile String clusterName = "test";
    private volatile SegmentMap map;
    private volatile boolean connected = true;
    private volatile boolean fenced;
    private volatile int controller;
    private volatile int replicationFactor = -1;
    private volatile ReconcilePolicy policy = ReconcilePolicy.MERGE;

    /** This node sees {@code map}, is connected and is the controller until told otherwise. */
    public TestClusterView(int localNodeId, SegmentMap map) {
        this.localNodeId = localNodeId;
        this.map = map;
        this.controller = localNodeId;
    }

    /** One node that holds and masters every segment. */
    public static TestClusterView singleNode(int nodeId, int segments) {
        return withReplicas(nodeId, segments, List.of(nodeId));
    }

    /** Every segment has the same replica list; only this node has an address (127.0.0.1:7380). */
    public static TestClusterView withReplicas(int nodeId, int segments, List<Integer> replicas) {
        List<List<Integer>> all = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            all.add(replicas);
        }
        return new TestClusterView(nodeId, new SegmentMap(1, replicas.size(), all,
                Map.of(nodeId, new NodeInfo(nodeId, "127.0.0.1", 7380))));
    }

    /** A map with the given nodes at 127.0.0.1 and one segment replicated on all of them. */
    public static SegmentMap mapOf(long epoch, Map<Integer, Integer> portsByNode) {
        Map<Integer, NodeInfo> nodes = new TreeMap<>();
        portsByNode.forEach((id, port) -> nodes.put(id, new NodeInfo(id, "127.0.0.1", port)));
        return new SegmentMap(epoch, nodes.size(), List.of(List.copyOf(nodes.keySet())), nodes);
    }

    public TestClusterView named(String name) {
        this.clusterName = name;
        return this;
    }

    /** Installs a new map and tells every listener, as the cluster bundle does on a map change. */
    public void setMap(SegmentMap newMap) {
        this.map = newMap;
        listeners.forEach(l -> l.accept(newMap));
    }

    public void setConnected(boolean isConnected) {
        this.connected = isConnected;
    }

    /** A fenced node masters nothing (it lost its ZooKeeper session and has no new map yet). */
    public void setFenced(boolean isFenced) {
        this.fenced = isFenced;
    }

    public void setController(int nodeId) {
        this.controller = nodeId;
    }

    /** The replica count last asked for, -1 if none. */
    public int requestedReplicationFactor() {
        return replicationFactor;
    }

    /** Pinned masters by segment. */
    public Map<Integer, Integer> pins() {
        return Map.copyOf(pins);
    }

    /** Segments this node reported caught up while it was syncing them in the current map. */
    public Set<Integer> caughtUp() {
        return Set.copyOf(caughtUp);
    }

    @Override
    public int localNodeId() {
        return localNodeId;
    }

    @Override
    public String clusterName() {
        return clusterName;
    }

    @Override
    public SegmentMap currentMap() {
        return map;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean isMaster(int segment) {
        return !fenced && map.master(segment) == localNodeId;
    }

    @Override
    public void markCaughtUp(int segment, long passEpoch) {
        SegmentMap current = map;
        if (current.isSyncing(segment, localNodeId) && passEpoch >= current.epoch()) {
            caughtUp.add(segment);
        }
    }

    @Override
    public int controllerId() {
        return connected ? controller : -1;
    }

    @Override
    public AutoCloseable onMapChange(Consumer<SegmentMap> listener) {
        listeners.add(listener);
        listener.accept(map);
        return () -> listeners.remove(listener);
    }

    @Override
    public void setReplicationFactor(int replicas) {
        this.replicationFactor = replicas;
    }

    @Override
    public void pinMaster(int segment, int nodeId) {
        if (nodeId < 0) {
            pins.remove(segment);
        } else {
            pins.put(segment, nodeId);
        }
    }

    @Override
    public void setReconcilePolicy(ReconcilePolicy newPolicy) {
        this.policy = newPolicy;
    }

    @Override
    public ReconcilePolicy reconcilePolicy() {
        return policy;
    }
}

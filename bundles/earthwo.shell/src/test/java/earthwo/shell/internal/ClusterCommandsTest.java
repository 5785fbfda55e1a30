package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.ReplicaSync;
import earthwo.api.cluster.SegmentMap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterCommandsTest {

    /** A ClusterView that records what the commands change. */
    static final class ClusterViewTestDouble implements ClusterView {
        SegmentMap map;
        boolean connected = true;
        int controller = 1;
        int replicas = -1;
        final Map<Integer, Integer> pins = new TreeMap<>();
        ReconcilePolicy policy = ReconcilePolicy.MERGE;
        boolean fenced;

        ClusterViewTestDouble(SegmentMap map) {
            this.map = map;
        }

        @Override
        public int localNodeId() {
            return 2;
        }

        @Override
        public String clusterName() {
            return "demo";
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
        public int controllerId() {
            return connected ? controller : -1;
        }

        @Override
        public boolean isMaster(int segment) {
            return !fenced && currentMap().master(segment) == localNodeId();
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
        public void setReplicationFactor(int r) {
            replicas = r;
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
        public void setReconcilePolicy(ReconcilePolicy p) {
            policy = p;
        }

        @Override
        public ReconcilePolicy reconcilePolicy() {
            return policy;
        }
    }

    /** Four segments on nodes 1, 2, 3 with R=2. */
    private static SegmentMap map() {
        List<List<Integer>> replicas = List.of(List.of(1, 2), List.of(2, 3), List.of(3, 1), List.of(2, 1));
        Map<Integer, NodeInfo> nodes = Map.of(
                1, new NodeInfo(1, "127.0.0.1", 7381),
                2, new NodeInfo(2, "127.0.0.1", 7382),
                3, new NodeInfo(3, "127.0.0.1", 7383));
        return new SegmentMap(14, 2, replicas, nodes);
    }

    private final ClusterViewTestDouble view = new ClusterViewTestDouble(map());

    private static ReplicaSync sync(Map<Integer, Set<Integer>> inSync) {
        return new ReplicaSync() {
            @Override
            public Map<Integer, Set<Integer>> inSync() {
                return inSync;
            }

            @Override
            public long lastPass(int segment) {
                return 0;
            }
        };
    }

    @Test
    void statusShowsNodesAndOneLinePerSegmentWithSyncMarkers() {
        // node 2 holds segments 0, 1, 3; it found node 1 in sync on segment 0 only
        ClusterCommands commands = new ClusterCommands(view, sync(Map.of(0, Set.of(1), 1, Set.of(), 3, Set.of())));
        String out = commands.status(-1);
        List<String> lines = out.lines().toList();
        assertEquals("cluster demo, node 2, controller 1, epoch 14, R=2, policy merge, ZooKeeper connected", lines.get(0));
        assertEquals("nodes (3):", lines.get(1));
        assertEquals("  1  127.0.0.1:7381  masters 1, replicas 3, controller", lines.get(2));
        assertEquals("  2* 127.0.0.1:7382  masters 2, replicas 3", lines.get(3));
        assertEquals("  3  127.0.0.1:7383  masters 1, replicas 2", lines.get(4));
        assertEquals("segments (4; master first; * this node, = in sync, + syncing, ? unknown):", lines.get(5));
        assertEquals("  0  1= 2*", lines.get(6));
        assertEquals("  1  2* 3?", lines.get(7));
        assertEquals("  2  3? 1?", lines.get(8));
        assertEquals("  3  2* 1?", lines.get(9));
        assertEquals(10, lines.size());
    }

    @Test
    void statusMarksSyncingReplicasAndFencedMasterDuties() {
        SegmentMap m = map();
        view.map = new SegmentMap(15, 3, List.of(List.of(1, 2, 3), List.of(2, 3), List.of(3, 1), List.of(2, 1)),
                m.nodes(), Map.of(0, Set.of(3)));
        view.fenced = true;
        ClusterCommands commands = new ClusterCommands(view, sync(Map.of(0, Set.of(1))));
        List<String> lines = commands.status(-1).lines().toList();
        assertEquals("cluster demo, node 2, controller 1, epoch 15, R=3, policy merge, ZooKeeper connected, "
                + "master duties FENCED until re-elected", lines.get(0));
        assertEquals("  3  127.0.0.1:7383  masters 1, replicas 3 (1 syncing)", lines.get(4));
        assertEquals("  0  1= 2* 3+", lines.get(6));
    }

    @Test
    void statusOfOneSegmentAndWithoutReplicaSync() {
        ClusterCommands commands = new ClusterCommands(view, null);
        view.connected = false;
        view.policy = ReconcilePolicy.MASTER;
        String out = commands.status(0);
        assertTrue(out.startsWith("cluster demo, node 2, controller unknown, epoch 14, R=2, policy master, "
                + "ZooKeeper disconnected\n"), out);
        assertTrue(out.endsWith(":\n  0  1? 2*\n"), out);
        EarthwoException e = assertThrows(EarthwoException.class, () -> commands.status(4));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    @Test
    void aFailingReplicaSyncShowsUnknown() {
        ReplicaSync broken = new ReplicaSync() {
            @Override
            public Map<Integer, Set<Integer>> inSync() {
                throw new IllegalStateException("stopping");
            }

            @Override
            public long lastPass(int segment) {
                return 0;
            }
        };
        assertTrue(new ClusterCommands(view, broken).status(0).endsWith("  0  1? 2*\n"));
    }

    @Test
    void replicasChangesR() {
        ClusterCommands commands = new ClusterCommands(view, null);
        assertTrue(commands.replicas(3).startsWith("replica count set to 3"));
        assertEquals(3, view.replicas);
        String many = commands.replicas(5);
        assertTrue(many.contains("only 3 nodes: segments keep 3 replicas until more join"), many);
        EarthwoException e = assertThrows(EarthwoException.class, () -> commands.replicas(0));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertEquals(5, view.replicas);
    }

    @Test
    void masterPinsAndUnpins() {
        ClusterCommands commands = new ClusterCommands(view, null);
        assertEquals("segment 2: master pinned to node 2 (it is master from the controller's next map while it is up)",
                commands.master(2, "2"));
        commands.master(3, "1");
        assertEquals(Map.of(2, 2, 3, 1), view.pins);
        assertTrue(commands.master(2, "none").contains("unpinned"));
        commands.master(3, "-1");
        assertTrue(view.pins.isEmpty());
        for (String bad : List.of("x", "-2", "9")) {
            EarthwoException e = assertThrows(EarthwoException.class, () -> commands.master(0, bad), bad);
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
        }
        EarthwoException e = assertThrows(EarthwoException.class, () -> commands.master(4, "1"));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(view.pins.isEmpty());
    }

    @Test
    void policySetsAndShows() {
        ClusterCommands commands = new ClusterCommands(view, null);
        assertEquals("reconcile policy: merge", commands.policy());
        assertEquals("reconcile policy set to master", commands.policy("MASTER"));
        assertEquals(ReconcilePolicy.MASTER, view.policy);
        assertEquals("reconcile policy: master", commands.policy());
        commands.policy("merge");
        assertEquals(ReconcilePolicy.MERGE, view.policy);
        EarthwoException e = assertThrows(EarthwoException.class, () -> commands.policy("lww"));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    @Test
    void withoutClusterViewEveryCommandIsUnavailable() {
        ClusterCommands commands = new ClusterCommands(null, null);
        List<Runnable> calls = new ArrayList<>(List.of(
                () -> commands.status(-1), () -> commands.replicas(3), () -> commands.master(0, "1"),
                commands::policy, () -> commands.policy("merge")));
        for (Runnable call : calls) {
            EarthwoException e = assertThrows(EarthwoException.class, call::run);
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertEquals("UNAVAILABLE: ClusterView unavailable", e.getMessage());
        }
    }
}

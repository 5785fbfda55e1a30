package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.ReplicaSync;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.cluster.TestClusterView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterCommandsTest {

    /** Four segments on nodes 1, 2, 3 with R=2. */
    private static SegmentMap map() {
        List<List<Integer>> replicas = List.of(List.of(1, 2), List.of(2, 3), List.of(3, 1), List.of(2, 1));
        Map<Integer, NodeInfo> nodes = Map.of(
                1, new NodeInfo(1, "127.0.0.1", 7381),
                2, new NodeInfo(2, "127.0.0.1", 7382),
                3, new NodeInfo(3, "127.0.0.1", 7383));
        return new SegmentMap(14, 2, replicas, nodes);
    }

    private final TestClusterView view = demoView();

    /** This node is node 2 of cluster "demo"; node 1 is the controller. */
    private static TestClusterView demoView() {
        TestClusterView v = new TestClusterView(2, map()).named("demo");
        v.setController(1);
        return v;
    }

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
        view.setMap(new SegmentMap(15, 3, List.of(List.of(1, 2, 3), List.of(2, 3), List.of(3, 1), List.of(2, 1)),
                m.nodes(), Map.of(0, Set.of(3))));
        view.setFenced(true);
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
        view.setConnected(false);
        view.setReconcilePolicy(ReconcilePolicy.MASTER);
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
        assertEquals(3, view.requestedReplicationFactor());
        String many = commands.replicas(5);
        assertTrue(many.contains("only 3 nodes: segments keep 3 replicas until more join"), many);
        EarthwoException e = assertThrows(EarthwoException.class, () -> commands.replicas(0));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertEquals(5, view.requestedReplicationFactor());
    }

    @Test
    void masterPinsAndUnpins() {
        ClusterCommands commands = new ClusterCommands(view, null);
        assertEquals("segment 2: master pinned to node 2 (it is master from the controller's next map while it is up)",
                commands.master(2, "2"));
        commands.master(3, "1");
        assertEquals(Map.of(2, 2, 3, 1), view.pins());
        assertTrue(commands.master(2, "none").contains("unpinned"));
        commands.master(3, "-1");
        assertTrue(view.pins().isEmpty());
        for (String bad : List.of("x", "-2", "9")) {
            EarthwoException e = assertThrows(EarthwoException.class, () -> commands.master(0, bad), bad);
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
        }
        EarthwoException e = assertThrows(EarthwoException.class, () -> commands.master(4, "1"));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(view.pins().isEmpty());
    }

    @Test
    void policySetsAndShows() {
        ClusterCommands commands = new ClusterCommands(view, null);
        assertEquals("reconcile policy: merge", commands.policy());
        assertEquals("reconcile policy set to master", commands.policy("MASTER"));
        assertEquals(ReconcilePolicy.MASTER, view.reconcilePolicy());
        assertEquals("reconcile policy: master", commands.policy());
        commands.policy("merge");
        assertEquals(ReconcilePolicy.MERGE, view.reconcilePolicy());
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

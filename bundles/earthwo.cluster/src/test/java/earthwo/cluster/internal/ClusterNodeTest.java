package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import earthwo.api.NodeProperties;
import earthwo.api.cluster.SegmentMap;

/** The cluster component against a real ZooKeeper: embedded, or Curator's TestingServer. */
class ClusterNodeTest {

    private static final int S = 32;

    @TempDir
    Path tmp;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void writeClusterSecret() throws Exception {
        Files.writeString(tmp.resolve("cluster.secret"), "the-cluster-secret-of-the-test\n");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        TestNodes.await(what, timeoutMs, condition);
    }

    private Map<String, Object> config(String name, String connect, long graceMs) {
        Map<String, Object> c = new HashMap<>();
        c.put(NodeProperties.DATA_DIR, tmp.resolve(name).toString());
        c.put(NodeProperties.ZK_CONNECT, connect);
        c.put(NodeProperties.SEGMENTS, String.valueOf(S));
        c.put(NodeProperties.PORT, String.valueOf(7380 + Math.abs(name.hashCode() % 100)));
        c.put(NodeProperties.CLUSTER, "test");
        c.put(ClusterSettings.GRACE_MS, String.valueOf(graceMs));
        // the nodes of a test form one cluster: one secret, as an operator copies it to every node
        c.put(NodeProperties.CLUSTER_SECRET_FILE, tmp.resolve("cluster.secret").toString());
        return c;
    }

    /** While set, started nodes report their syncing replicas caught up at once (standing in for anti-entropy). */
    private final java.util.concurrent.atomic.AtomicBoolean autoCatchUp = new java.util.concurrent.atomic.AtomicBoolean(true);

    private ClusterNode start(Map<String, Object> config) throws Exception {
        ClusterNode node = new ClusterNode(ClusterSettings.from(config, k -> null)).start();
        toClose.add(node);
        toClose.add(node.onMapChange(m -> {
            if (autoCatchUp.get()) {
                catchUp(node, m);
            }
        }));
        return node;
    }

    private static void catchUp(ClusterNode node, SegmentMap m) {
        m.allSyncing().forEach((segment, nodes) -> {
            if (nodes.contains(node.localNodeId())) {
                node.markCaughtUp(segment, m.epoch());
            }
        });
    }

    private TestingServer zk() throws Exception {
        TestingServer server = new TestingServer(-1, tmp.resolve("zk-" + toClose.size()).toFile(), true);
        toClose.add(server);
        return server;
    }

    private static boolean allMastersAndReplicasAre(SegmentMap m, int nodeId) {
        if (m == null || m.segmentCount() != S) {
            return false;
        }
        for (int s = 0; s < S; s++) {
            if (!m.replicas(s).equals(List.of(nodeId))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void oneNodeWithEmbeddedZooKeeperOwnsAndMastersAllSegments() throws Exception {
        long t0 = System.nanoTime();
        ClusterNode node = start(config("a", "", 60_000));
        assertTrue(node.awaitFirstMap(5, TimeUnit.SECONDS));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 3000, "first map after " + ms + " ms");
        SegmentMap m = node.currentMap();
        assertTrue(allMastersAndReplicasAre(m, node.localNodeId()), String.valueOf(m));
        assertEquals(1, m.epoch());
        assertEquals(3, m.replicationFactor());
        assertEquals(node.localNodeId(), node.controllerId());
        assertTrue(node.isConnected());
        assertEquals(Set.of(node.localNodeId()), m.nodes().keySet());
        assertEquals("127.0.0.1", m.nodes().get(node.localNodeId()).host());
        Map<String, Object> status = node.status();
        assertEquals(S, status.get("mastered"));
        assertTrue(String.valueOf(status.get("zookeeper")).startsWith("embedded 127.0.0.1:"));
        assertTrue(Files.isDirectory(tmp.resolve("a/zk/version-2")));
    }

    @Test
    void nodeIdAndClusterSurviveRestartAndEpochGrows() throws Exception {
        Map<String, Object> config = config("a", "", 60_000);
        ClusterNode first = start(config);
        assertTrue(first.awaitFirstMap(5, TimeUnit.SECONDS));
        int id = first.localNodeId();
        long epoch = first.currentMap().epoch();
        assertTrue(id > 0);
        first.close();
        toClose.remove(first);
        assertEquals(String.valueOf(id), Files.readString(tmp.resolve("a/node.id")).trim());

        ClusterNode second = start(config);
        assertEquals(id, second.localNodeId());
        // the embedded ZooKeeper kept the map: the new controller writes a newer epoch
        await("a newer map", 5000, () -> second.currentMap() != null && second.currentMap().epoch() > epoch);
        assertTrue(allMastersAndReplicasAre(second.currentMap(), id));
    }

    @Test
    void differingSegmentCountIsAnError() throws Exception {
        Map<String, Object> config = config("a", "", 60_000);
        start(config).close();
        toClose.clear();
        config.put(NodeProperties.SEGMENTS, String.valueOf(S * 2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(config));
        assertTrue(e.getMessage().contains("segments"), e.getMessage());
        // unset: the cluster's count is taken
        config.remove(NodeProperties.SEGMENTS);
        ClusterNode node = start(config);
        assertTrue(node.awaitFirstMap(5, TimeUnit.SECONDS));
        assertEquals(S, node.currentMap().segmentCount());
    }

    @Test
    void twoAndThreeNodesAgreeOnMapAndController() throws Exception {
        TestingServer server = zk();
        List<ClusterNode> nodes = new ArrayList<>();
        List<Long> epochs = new CopyOnWriteArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            nodes.add(start(config(name, server.getConnectString(), 60_000)));
            if (nodes.size() == 1) {
                nodes.get(0).onMapChange(m -> epochs.add(m.epoch()));
            }
            awaitAgreement(nodes);
            SegmentMap m = nodes.get(0).currentMap();
            assertEquals(nodes.size(), m.nodes().size());
            int r = Math.min(3, nodes.size());
            Map<Integer, Integer> masters = new HashMap<>();
            for (int s = 0; s < S; s++) {
                assertEquals(r, m.replicas(s).size());
                masters.merge(m.master(s), 1, Integer::sum);
            }
            int max = masters.values().stream().mapToInt(i -> i).max().orElse(0);
            int min = masters.values().stream().mapToInt(i -> i).min().orElse(0);
            assertEquals(nodes.size(), masters.size());
            assertTrue(max - min <= 1, masters.toString());
        }
        for (int i = 1; i < epochs.size(); i++) {
            assertTrue(epochs.get(i) > epochs.get(i - 1), "epochs grow: " + epochs);
        }
        long controllers = nodes.stream().filter(ClusterNode::isController).count();
        assertEquals(1, controllers);
    }

    /** Waits until all nodes see the same settled map (no replica syncing or waiting) with one controller. */
    private static void awaitAgreement(List<ClusterNode> nodes) throws InterruptedException {
        await("all " + nodes.size() + " nodes see the same settled map with all of them and one controller", 15_000, () -> {
            SegmentMap first = nodes.get(0).currentMap();
            if (first == null || first.nodes().size() != nodes.size() || !nodes.get(0).settled()) {
                return false;
            }
            Set<Integer> controllers = new HashSet<>();
            for (ClusterNode n : nodes) {
                SegmentMap m = n.currentMap();
                if (m == null || m.epoch() != first.epoch()) {
                    return false;
                }
                controllers.add(n.controllerId());
            }
            return controllers.size() == 1 && !controllers.contains(-1);
        });
    }

    @Test
    void lostNodeLosesMastersAtOnceAndReplicasAfterGrace() throws Exception {
        TestingServer server = zk();
        long grace = 3000;
        List<ClusterNode> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d")) {
            nodes.add(start(config(name, server.getConnectString(), grace)));
        }
        awaitAgreement(nodes);
        // lose a node that is not the controller
        ClusterNode lost = nodes.stream().filter(n -> !n.isController()).findFirst().orElseThrow();
        int lostId = lost.localNodeId();
        ClusterNode observer = nodes.stream().filter(n -> n != lost).findFirst().orElseThrow();
        SegmentMap before = observer.currentMap();
        int held = before.segmentsOf(lostId).size();
        assertTrue(held > 0);
        long t0 = System.nanoTime();
        lost.close();
        toClose.remove(lost);

        await("masters moved", 2000, () -> {
            SegmentMap m = observer.currentMap();
            for (int s = 0; s < S; s++) {
                if (m.master(s) == lostId) {
                    return false;
                }
            }
            return true;
        });
        long mastersMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        SegmentMap during = observer.currentMap();
        assertEquals(held, during.segmentsOf(lostId).size(), "replicas stay during the grace period");
        assertTrue(mastersMs < grace, "masters moved after " + mastersMs + " ms");
        for (int s = 0; s < S; s++) {
            assertEquals(new HashSet<>(before.replicas(s)), new HashSet<>(during.replicas(s)), "no data moves yet");
        }

        await("replicas re-created", grace + 5000, () -> observer.currentMap().segmentsOf(lostId).isEmpty());
        long replicasMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(replicasMs >= grace - 200, "replicas moved after " + replicasMs + " ms, grace " + grace);
        // the new replicas sync a few at a time, then serve
        await("re-created replicas caught up", 10_000, observer::settled);
        SegmentMap after = observer.currentMap();
        assertFalse(after.nodes().containsKey(lostId));
        int moved = 0;
        for (int s = 0; s < S; s++) {
            assertEquals(3, after.replicas(s).size());
            Set<Integer> added = new HashSet<>(after.replicas(s));
            added.removeAll(before.replicas(s));
            moved += added.size();
        }
        assertEquals(held, moved, "only the lost node's replicas were re-created");
        assertTrue(after.epoch() > during.epoch());
    }

    @Test
    void nodeBackWithinGraceMovesNoData() throws Exception {
        TestingServer server = zk();
        List<ClusterNode> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            nodes.add(start(config(name, server.getConnectString(), 60_000)));
        }
        awaitAgreement(nodes);
        ClusterNode victim = nodes.stream().filter(n -> !n.isController()).findFirst().orElseThrow();
        int id = victim.localNodeId();
        SegmentMap before = nodes.get(0).currentMap();
        victim.close();
        toClose.remove(victim);
        nodes.remove(victim);
        await("masters moved", 3000, () -> nodes.get(0).currentMap().segmentsOf(id).size() == S
                && java.util.stream.IntStream.range(0, S).noneMatch(s -> nodes.get(0).currentMap().master(s) == id));
        ClusterNode back = start(config(nameOf(victim, id), server.getConnectString(), 60_000));
        assertEquals(id, back.localNodeId());
        nodes.add(back);
        awaitAgreement(nodes);
        await("masters levelled again", 3000, () -> {
            SegmentMap m = back.currentMap();
            return java.util.stream.IntStream.range(0, S).filter(s -> m.master(s) == id).count() >= S / 3;
        });
        SegmentMap after = back.currentMap();
        for (int s = 0; s < S; s++) {
            assertEquals(new HashSet<>(before.replicas(s)), new HashSet<>(after.replicas(s)));
        }
    }

    private String nameOf(ClusterNode node, int id) throws Exception {
        for (String name : List.of("a", "b", "c")) {
            Path f = tmp.resolve(name).resolve(NodeIdFile.FILE);
            if (Files.exists(f) && Files.readString(f).trim().equals(String.valueOf(id))) {
                return name;
            }
        }
        throw new AssertionError("no data dir for node " + id);
    }

    @Test
    void replicaCountChangesAtRuntime() throws Exception {
        TestingServer server = zk();
        List<ClusterNode> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            nodes.add(start(config(name, server.getConnectString(), 60_000)));
        }
        awaitAgreement(nodes);
        nodes.get(1).setReplicationFactor(1);
        await("R=1", 5000, () -> nodes.get(0).currentMap().replicationFactor() == 1
                && nodes.get(0).currentMap().replicas(0).size() == 1);
        nodes.get(2).setReplicationFactor(2);
        await("R=2", 5000, () -> nodes.get(0).currentMap().replicas(S - 1).size() == 2);
        SegmentMap m = nodes.get(0).currentMap();
        for (int s = 0; s < S; s++) {
            assertEquals(2, m.replicas(s).size());
        }
    }

    /**
     * R raised from 1 to 2 with at most 4 replicas syncing at once: segments gain their replica a
     * few at a time; a syncing replica is listed last, is never master and serves only after it
     * reported having caught up.
     */
    @Test
    void raisingRAddsReplicasAFewSegmentsAtATimeAndTheyServeAfterCatchingUp() throws Exception {
        TestingServer server = zk();
        List<ClusterNode> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            Map<String, Object> c = config(name, server.getConnectString(), 60_000);
            c.put(ClusterSettings.REPLICAS, "1");
            c.put(ClusterSettings.MAX_SYNCING, "4");
            nodes.add(start(c));
        }
        awaitAgreement(nodes);
        autoCatchUp.set(false);
        List<SegmentMap> seen = new CopyOnWriteArrayList<>();
        toClose.add(nodes.get(0).onMapChange(seen::add));
        nodes.get(1).setReplicationFactor(2);
        await("replicas syncing", 5000, () -> !nodes.get(0).currentMap().allSyncing().isEmpty());
        SegmentMap first = nodes.get(0).currentMap();
        assertEquals(2, first.replicationFactor());
        for (int s = 0; s < S; s++) {
            assertEquals(1, first.servingReplicas(s).size(), "segment " + s + " serves from its old replica only");
        }
        int maps = 0;
        while (true) {
            SegmentMap m = nodes.get(0).currentMap();
            boolean done = true;
            for (int s = 0; s < S; s++) {
                done &= m.servingReplicas(s).size() == 2;
            }
            if (done && m.allSyncing().isEmpty()) {
                break;
            }
            assertTrue(maps++ < 100, "R=2 not reached: " + m);
            // every node must have this map before reporting: a node still on the previous one
            // would only repeat its earlier reports, and no new map would follow
            await("all nodes at epoch " + m.epoch(), 5000,
                    () -> nodes.stream().allMatch(n -> n.currentMap().epoch() >= m.epoch()));
            for (ClusterNode n : nodes) {
                catchUp(n, n.currentMap()); // what anti-entropy does when the master finds it in sync
            }
            long epoch = m.epoch();
            await("next map", 5000, () -> nodes.get(0).currentMap().epoch() > epoch);
        }
        int maxSyncing = 0;
        for (SegmentMap m : seen) {
            int syncing = 0;
            for (var e : m.allSyncing().entrySet()) {
                syncing += e.getValue().size();
                assertFalse(e.getValue().contains(m.master(e.getKey())), "a syncing replica is never master");
                List<Integer> list = m.replicas(e.getKey());
                assertTrue(e.getValue().contains(list.get(list.size() - 1)), "syncing replicas are listed last");
            }
            maxSyncing = Math.max(maxSyncing, syncing);
        }
        assertTrue(maxSyncing > 0 && maxSyncing <= 4, "at most 4 replicas syncing at once, saw " + maxSyncing);
        assertTrue(seen.size() >= S / 4, "segments gained their replica over " + seen.size() + " maps");
    }

    /**
     * A node whose ZooKeeper session expires stops acting as master of its segments at once and
     * acts again only after the controller has written a map for its new session (re-election).
     */
    @Test
    void aNodeWhoseSessionExpiredIsFencedUntilAMapNamesItsNewSession() throws Exception {
        TestingServer server = new TestingServer(new org.apache.curator.test.InstanceSpec(
                tmp.resolve("zk-fence").toFile(), -1, -1, -1, true, -1, 200, -1), true);
        toClose.add(server);
        List<ClusterNode> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            Map<String, Object> c = config(name, server.getConnectString(), 60_000);
            c.put(ClusterSettings.SESSION_TIMEOUT_MS, "1000");
            c.put(ClusterSettings.CONNECTION_TIMEOUT_MS, "1000");
            nodes.add(start(c));
        }
        awaitAgreement(nodes);
        ClusterNode victim = nodes.get(1);
        int mastered = masteredBy(victim);
        assertTrue(mastered > 0, "node masters some segments");
        await("master duties allowed", 5000, () -> Boolean.FALSE.equals(victim.status().get("fenced")));
        long epochBefore = victim.currentMap().epoch();
        int fencedBefore = victim.timesFenced();

        victim.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        // counted, not polled: with 200 ms ticks the fence can come and go within one poll
        await("fenced after the expiry", 5000, () -> victim.timesFenced() > fencedBefore);
        for (int s = 0; s < S; s++) {
            assertFalse(victim.isMaster(s) && victim.currentMap().epoch() == epochBefore,
                    "no master duties under the map of the expired session (segment " + s + ")");
        }
        await("re-elected with a map for the new session", 20_000,
                () -> Boolean.FALSE.equals(victim.status().get("fenced")) && victim.currentMap().epoch() > epochBefore);
        awaitAgreement(nodes);
        await("masters segments again", 10_000, () -> masteredBy(victim) > 0
                && java.util.stream.IntStream.range(0, S).anyMatch(victim::isMaster));
        for (int s = 0; s < S; s++) {
            assertEquals(victim.currentMap().master(s) == victim.localNodeId(), victim.isMaster(s), "segment " + s);
        }
    }

    private static int masteredBy(ClusterNode node) {
        SegmentMap m = node.currentMap();
        int n = 0;
        for (int s = 0; s < S; s++) {
            if (m.master(s) == node.localNodeId()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void zooKeeperDownKeepsTheLastMap() throws Exception {
        TestingServer server = zk();
        ClusterNode node = start(config("a", server.getConnectString(), 60_000));
        assertTrue(node.awaitFirstMap(5, TimeUnit.SECONDS));
        SegmentMap map = node.currentMap();
        server.stop();
        await("disconnected", 10_000, () -> !node.isConnected());
        assertEquals(-1, node.controllerId());
        assertTrue(map == node.currentMap(), "the last map is kept");
        server.restart();
        await("reconnected", 15_000, node::isConnected);
        await("controller known again", 15_000, () -> node.controllerId() == node.localNodeId());
        assertTrue(node.currentMap().epoch() >= map.epoch());
    }

    /**
     * ZooKeeper down for three session timeouts: every session expires (Curator reports LOST and
     * opens a new session), the restarted server drops the old ephemeral registrations and
     * controller latch, the nodes register again, a controller is elected, and the map it
     * writes has the same replica set for every segment (the grace period covers the moment the
     * old registrations are gone and the new ones not yet there).
     */
    @Test
    void zooKeeperDownPastTheSessionTimeoutReRegistersAndMovesNoData() throws Exception {
        // tickTime 200 ms, so the server accepts a 1 s session timeout (its minimum is 2 ticks)
        TestingServer server = new TestingServer(new org.apache.curator.test.InstanceSpec(
                tmp.resolve("zk-expiry").toFile(), -1, -1, -1, true, -1, 200, -1), true);
        toClose.add(server);
        int sessionMs = 1000;
        List<ClusterNode> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            Map<String, Object> c = config(name, server.getConnectString(), 60_000);
            c.put(ClusterSettings.SESSION_TIMEOUT_MS, String.valueOf(sessionMs));
            c.put(ClusterSettings.CONNECTION_TIMEOUT_MS, "1000");
            nodes.add(start(c));
        }
        awaitAgreement(nodes);
        SegmentMap before = nodes.get(0).currentMap();

        server.stop();
        await("all disconnected", 10_000, () -> nodes.stream().noneMatch(ClusterNode::isConnected));
        Thread.sleep(3L * sessionMs + 500);
        for (ClusterNode n : nodes) {
            assertTrue(before == n.currentMap() || before.epoch() == n.currentMap().epoch(), "the last map is kept");
        }
        server.restart();
        await("all reconnected", 15_000, () -> nodes.stream().allMatch(ClusterNode::isConnected));
        // past the expiry of the old sessions on the restarted server: their ephemerals are gone
        Thread.sleep(3L * sessionMs);
        await("all registered again, none listed as down", 15_000, () -> nodes.stream().allMatch(n -> {
            Object down = n.status().get("down");
            return down instanceof Set<?> d && d.isEmpty() && n.currentMap().nodes().size() == 3;
        }));
        awaitAgreement(nodes);
        SegmentMap after = nodes.get(0).currentMap();
        assertTrue(after.epoch() > before.epoch(), "a new controller wrote the map");
        for (int s = 0; s < S; s++) {
            assertEquals(new HashSet<>(before.replicas(s)), new HashSet<>(after.replicas(s)),
                    "segment " + s + " moved after the sessions expired");
        }
        try (org.apache.curator.framework.CuratorFramework zk = org.apache.curator.framework.CuratorFrameworkFactory
                .newClient(server.getConnectString(), new org.apache.curator.retry.RetryOneTime(100))) {
            zk.start();
            List<String> registered = zk.getChildren().forPath(ClusterPaths.of("test").nodes());
            assertEquals(3, registered.size(), registered.toString());
        }
    }

    @Test
    void listenerGetsCurrentMapAtOnceAndCanBeRemoved() throws Exception {
        ClusterNode node = start(config("a", "", 60_000));
        assertTrue(node.awaitFirstMap(5, TimeUnit.SECONDS));
        List<SegmentMap> seen = new CopyOnWriteArrayList<>();
        SegmentMap current = node.currentMap();
        AutoCloseable handle = node.onMapChange(seen::add);
        // At once, on the registering thread; a map the controller writes meanwhile may follow.
        assertFalse(seen.isEmpty(), "the current map at once");
        assertTrue(seen.get(0).epoch() >= current.epoch(), "the current map first");
        handle.close();
        node.setReplicationFactor(2); // one node: same assignment, but the map says R=2
        await("R=2 seen", 5000, () -> node.currentMap().replicationFactor() == 2);
        assertTrue(seen.stream().noneMatch(m -> m.replicationFactor() == 2),
                "a removed listener got the map written after its removal: " + seen);
    }

    private List<ClusterNode> threeNodes(TestingServer server, long graceMs) throws Exception {
        List<ClusterNode> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            nodes.add(start(config(name, server.getConnectString(), graceMs)));
        }
        awaitAgreement(nodes);
        return nodes;
    }

    @Test
    void pinAndUnpinMasterThroughTheApi() throws Exception {
        TestingServer server = zk();
        List<ClusterNode> nodes = threeNodes(server, 60_000);
        ClusterNode a = nodes.get(0);
        a.setReplicationFactor(2);
        await("R=2", 5000, () -> a.currentMap().replicationFactor() == 2 && a.currentMap().replicas(S - 1).size() == 2);
        SegmentMap before = a.currentMap();
        // a node that is not a replica of segment 3 becomes its master (and a replica)
        int seg = 3;
        int outsider = before.nodes().keySet().stream().filter(n -> !before.isReplica(seg, n)).findFirst().orElseThrow();
        nodes.get(1).pinMaster(seg, outsider);
        await("pinned master", 5000, () -> a.currentMap().master(seg) == outsider);
        SegmentMap pinned = a.currentMap();
        assertEquals(2, pinned.replicas(seg).size());
        assertTrue(pinned.replicas(seg).contains(before.master(seg)), "the old master stays a replica");
        int moved = 0;
        for (int s = 0; s < S; s++) {
            Set<Integer> added = new HashSet<>(pinned.replicas(s));
            added.removeAll(before.replicas(s));
            moved += added.size();
        }
        assertTrue(moved <= 2, "the pinned replica and at most one levelling move: " + moved);
        for (ClusterNode n : nodes) {
            await("pin seen by node " + n.localNodeId(), 5000, () -> Map.of(seg, outsider).equals(n.pins()));
        }
        // a second pin, on a node that already is a replica: only the order changes
        int seg2 = 4;
        int second = pinned.replicas(seg2).get(1);
        a.pinMaster(seg2, second);
        await("second pin", 5000, () -> a.currentMap().master(seg2) == second);
        assertEquals(new HashSet<>(pinned.replicas(seg2)), new HashSet<>(a.currentMap().replicas(seg2)));
        assertEquals(outsider, a.currentMap().master(seg), "the first pin holds");
        // rejected: bad segment, unknown node
        earthwo.api.EarthwoException bad = assertThrows(earthwo.api.EarthwoException.class, () -> a.pinMaster(S, outsider));
        assertEquals(earthwo.api.ErrorCode.BAD_REQUEST, bad.code());
        bad = assertThrows(earthwo.api.EarthwoException.class, () -> a.pinMaster(0, 999_999));
        assertEquals(earthwo.api.ErrorCode.BAD_REQUEST, bad.code());
        // unpin both: the pins are gone everywhere, the map stays valid
        nodes.get(2).pinMaster(seg, -1);
        nodes.get(2).pinMaster(seg2, -1);
        for (ClusterNode n : nodes) {
            await("unpinned on node " + n.localNodeId(), 5000, () -> n.pins().isEmpty());
        }
        // R back to 3 through the API: every segment gets its third replica
        nodes.get(2).setReplicationFactor(3);
        await("R=3", 5000, () -> java.util.stream.IntStream.range(0, S)
                .allMatch(s -> a.currentMap().replicas(s).size() == 3));
        assertEquals(3, a.currentMap().replicationFactor());
        assertThrows(IllegalArgumentException.class, () -> a.setReplicationFactor(0));
    }

    @Test
    void pinnedMasterDownLosesMastershipAndGetsItBack() throws Exception {
        TestingServer server = zk();
        List<ClusterNode> nodes = threeNodes(server, 60_000);
        ClusterNode victim = nodes.stream().filter(n -> !n.isController()).findFirst().orElseThrow();
        ClusterNode observer = nodes.stream().filter(n -> n != victim).findFirst().orElseThrow();
        int id = victim.localNodeId();
        int seg = java.util.stream.IntStream.range(0, S).filter(s -> observer.currentMap().master(s) != id)
                .findFirst().orElseThrow();
        observer.pinMaster(seg, id);
        await("pinned", 5000, () -> observer.currentMap().master(seg) == id);
        String name = nameOf(victim, id);
        victim.close();
        toClose.remove(victim);
        await("mastership lost while down", 5000, () -> observer.currentMap().master(seg) != id
                && observer.currentMap().isReplica(seg, id));
        ClusterNode back = start(config(name, server.getConnectString(), 60_000));
        assertEquals(id, back.localNodeId());
        await("mastership back", 10_000, () -> observer.currentMap().master(seg) == id);
        assertEquals(Map.of(seg, id), back.pins());
    }

    @Test
    void reconcilePolicyIsClusterWideAndCached() throws Exception {
        TestingServer server = zk();
        List<ClusterNode> nodes = threeNodes(server, 60_000);
        for (ClusterNode n : nodes) {
            assertEquals(earthwo.api.cluster.ReconcilePolicy.MERGE, n.reconcilePolicy());
        }
        nodes.get(0).setReconcilePolicy(earthwo.api.cluster.ReconcilePolicy.MASTER);
        assertEquals(earthwo.api.cluster.ReconcilePolicy.MASTER, nodes.get(0).reconcilePolicy(), "at once on the caller");
        for (ClusterNode n : nodes) {
            await("policy seen", 5000, () -> n.reconcilePolicy() == earthwo.api.cluster.ReconcilePolicy.MASTER);
        }
        long epoch = nodes.get(0).currentMap().epoch();
        // a node started later reads it from the config
        ClusterNode d = start(config("d", server.getConnectString(), 60_000));
        assertEquals(earthwo.api.cluster.ReconcilePolicy.MASTER, d.reconcilePolicy());
        assertEquals("master", d.status().get("policy"));
        nodes.get(1).setReconcilePolicy(earthwo.api.cluster.ReconcilePolicy.MERGE);
        await("back to merge", 5000, () -> d.reconcilePolicy() == earthwo.api.cluster.ReconcilePolicy.MERGE);
        assertTrue(nodes.get(0).currentMap().epoch() >= epoch);
        // ZooKeeper gone: changes fail fast with UNAVAILABLE, the cached value stays
        server.stop();
        await("disconnected", 10_000, () -> !d.isConnected());
        earthwo.api.EarthwoException e = assertThrows(earthwo.api.EarthwoException.class,
                () -> d.setReconcilePolicy(earthwo.api.cluster.ReconcilePolicy.MASTER));
        assertEquals(earthwo.api.ErrorCode.UNAVAILABLE, e.code());
        assertEquals(earthwo.api.cluster.ReconcilePolicy.MERGE, d.reconcilePolicy());
    }
}

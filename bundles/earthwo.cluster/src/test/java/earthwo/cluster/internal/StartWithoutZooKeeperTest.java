package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import earthwo.api.NodeProperties;
import earthwo.api.cluster.SegmentMap;
import earthwo.cluster.internal.MapCodec.MapDoc;

/**
 * A node started while ZooKeeper is unreachable: it serves on the map it kept, fenced from master
 * duties, and joins when ZooKeeper is back; a node that never joined waits; either stops at once.
 */
class StartWithoutZooKeeperTest {

    /** Connection timeout of the nodes here (see TestNodes) plus room for a slow machine. */
    private static final long PROMPT_MS = 1_000 + 2_000;

    @TempDir
    Path tmp;

    private TestNodes nodes;

    @BeforeEach
    void setUp() throws Exception {
        nodes = new TestNodes(tmp);
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
    }

    @Test
    void aNodeRestartedWithoutZooKeeperServesOnItsKeptMapFencedAndJoinsWhenZooKeeperIsBack() throws Exception {
        TestingServer server = nodes.zooKeeper();
        Map<String, Object> config = nodes.config("a", server.getConnectString());
        ClusterNode first = nodes.start(config);
        TestNodes.await("a map for this node's session", 10_000, () -> Boolean.FALSE.equals(first.status().get("fenced")));
        SegmentMap before = first.currentMap();
        PersistedMap kept = new PersistedMap(tmp.resolve("a"), TestNodes.CLUSTER, first.localNodeId());
        TestNodes.await("the map kept on disk", 5_000, () -> epochKept(kept) == before.epoch());
        assertEquals("zookeeper", first.status().get("map.source"));
        nodes.stop(first);
        server.stop();

        long t0 = System.nanoTime();
        ClusterNode node = nodes.start(config);
        long startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(startMs < PROMPT_MS, "start took " + startMs + " ms without ZooKeeper");
        assertEquals(first.localNodeId(), node.localNodeId());
        SegmentMap served = node.currentMap();
        assertNotNull(served, "the kept map, at once");
        assertEquals(before.epoch(), served.epoch());
        for (int s = 0; s < TestNodes.S; s++) {
            assertEquals(before.replicas(s), served.replicas(s));
        }
        assertTrue(node.awaitFirstMap(0, TimeUnit.MILLISECONDS));
        Map<String, Object> status = node.status();
        assertEquals("disk", status.get("map.source"));
        assertEquals(true, status.get("fenced"));
        assertEquals(false, status.get("connected"));
        assertEquals(false, status.get("joined"));
        assertEquals(-1, node.controllerId());
        assertEquals(TestNodes.S, status.get("mastered"), "master of every segment under the map");
        assertTrue(IntStream.range(0, TestNodes.S).noneMatch(node::isMaster), "but acting as master of none");

        server.restart();
        TestNodes.await("connected and joined", 15_000, () -> node.isConnected() && node.joined());
        TestNodes.await("the map from ZooKeeper", 15_000, () -> "zookeeper".equals(node.status().get("map.source")));
        TestNodes.await("re-elected with a map for the new session", 20_000,
                () -> Boolean.FALSE.equals(node.status().get("fenced")));
        assertTrue(node.currentMap().epoch() > before.epoch());
        assertTrue(IntStream.range(0, TestNodes.S).allMatch(node::isMaster));
        assertEquals(node.localNodeId(), node.controllerId());
        TestNodes.await("the newer map kept", 5_000, () -> epochKept(kept) == node.currentMap().epoch());
    }

    @Test
    void aNodeThatNeverJoinedWaitsForZooKeeperAndStopsAtOnce() throws Exception {
        long t0 = System.nanoTime();
        ClusterNode node = nodes.start(nodes.config("fresh", TestNodes.nowhere()));
        long startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(startMs < PROMPT_MS, "start took " + startMs + " ms");
        assertNull(node.currentMap(), "no map to serve on");
        assertFalse(node.awaitFirstMap(0, TimeUnit.MILLISECONDS));
        assertEquals("none", node.status().get("map.source"));
        assertEquals(false, node.status().get("joined"));
        assertFalse(Files.exists(tmp.resolve("fresh").resolve(PersistedMap.FILE)));
        assertClosesPromptly(node);
    }

    @Test
    void aNodeServingOnItsKeptMapStopsAtOnceWhileWaitingForZooKeeper() throws Exception {
        Path data = tmp.resolve("b");
        int id = NodeIdFile.loadOrCreate(data);
        MapDoc map = PersistedMapTest.map(9);
        map.segments = new java.util.ArrayList<>(IntStream.range(0, TestNodes.S).mapToObj(s -> List.of(id)).toList());
        map.nodes = new java.util.ArrayList<>(List.of(new MapCodec.NodeDoc(id, "127.0.0.1", 7390, 42)));
        map.syncing = new java.util.TreeMap<>();
        map.controller = id;
        new PersistedMap(data, TestNodes.CLUSTER, id).write(map);

        ClusterNode node = nodes.start(nodes.config("b", TestNodes.nowhere()));
        assertEquals(9, node.currentMap().epoch());
        assertEquals(true, node.status().get("fenced"));
        assertClosesPromptly(node);
    }

    @Test
    void aKeptMapWithASegmentCountOtherThanTheSetOneIsRefusedAsZooKeeperWouldRefuseIt() throws Exception {
        Path data = tmp.resolve("c");
        int id = NodeIdFile.loadOrCreate(data);
        new PersistedMap(data, TestNodes.CLUSTER, id).write(PersistedMapTest.map(4)); // 4 segments
        Map<String, Object> config = nodes.config("c", TestNodes.nowhere());
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> nodes.start(config));
        assertTrue(e.getMessage().contains("segments"), e.getMessage());
        assertNoThreadsOf(id);
        config.remove(NodeProperties.SEGMENTS);
        ClusterNode node = nodes.start(config);
        assertEquals(4, node.currentMap().segmentCount(), "unset: the cluster's count is taken");
    }

    private static long epochKept(PersistedMap kept) {
        try {
            MapDoc m = kept.read();
            return m == null ? 0 : m.epoch;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static void assertClosesPromptly(ClusterNode node) {
        long t0 = System.nanoTime();
        node.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(closeMs < 2_000, "close took " + closeMs + " ms while waiting for ZooKeeper");
        assertNoThreadsOf(node.localNodeId());
    }

    /** The threads the node names after itself (join, Curator notifications, clock, controller) are gone. */
    private static void assertNoThreadsOf(int nodeId) {
        List<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("earthwo-") && n.endsWith("-" + nodeId)).toList();
        assertEquals(List.of(), left);
    }
}

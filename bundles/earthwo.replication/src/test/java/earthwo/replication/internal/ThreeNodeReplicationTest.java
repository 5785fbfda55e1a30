package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Limits;
import earthwo.api.Record;
import earthwo.api.Segments;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.cluster.TestClusterView;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.storage.HintStore;
import earthwo.api.storage.SegmentStore;
import earthwo.storage.internal.RealStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three "nodes" in one JVM, each a write coordinator on its own real JE store, connected by an
 * in-memory {@link PeerLinks} that calls the other nodes' peer handler directly and can cut
 * nodes off.
 */
class ThreeNodeReplicationTest {

    private static final int SEGMENTS = 8;
    private static final long START = 1_800_000_000_000L;

    @TempDir
    Path dir;

    /** Wall clock shared by the nodes; each adds its own skew. */
    private final AtomicLong wall = new AtomicLong(START);
    private final Network net = new Network();
    private final SharedMap cluster = new SharedMap();
    private final Map<Integer, Node> nodes = new TreeMap<>();

    /** The control plane: one map for all nodes, with the live nodes in {@code nodes()}. */
    private static final class SharedMap {
        private final List<TestClusterView> views = new CopyOnWriteArrayList<>();
        private volatile SegmentMap map;

        void set(List<Integer> replicas, Set<Integer> live) {
            set(replicas, live, Set.of());
        }

        /** Every segment has the same replicas, {@code syncing} of them still catching up. */
        void set(List<Integer> replicas, Set<Integer> live, Set<Integer> syncing) {
            List<List<Integer>> all = new ArrayList<>();
            for (int s = 0; s < SEGMENTS; s++) {
                all.add(replicas);
            }
            Map<Integer, NodeInfo> infos = new TreeMap<>();
            for (int n : live) {
                infos.put(n, new NodeInfo(n, "127.0.0.1", 7380 + n));
            }
            Map<Integer, Set<Integer>> sync = new TreeMap<>();
            for (int s = 0; s < SEGMENTS && !syncing.isEmpty(); s++) {
                sync.put(s, syncing);
            }
            SegmentMap old = map;
            map = new SegmentMap(old == null ? 1 : old.epoch() + 1, replicas.size(), all, infos, sync);
            views.forEach(v -> v.setMap(map));
        }

        /** Node {@code nodeId}'s view of this map; node 1 is the controller. */
        ClusterView viewOf(int nodeId) {
            TestClusterView view = new TestClusterView(nodeId, map);
            view.setController(1);
            views.add(view);
            return view;
        }
    }

    /** Node-to-node links in memory: a call runs the target's peer handler directly. */
    private final class Network {
        /** Nodes nobody can reach (and that reach nobody). */
        final Set<Integer> down = ConcurrentHashMap.newKeySet();
        /** Node pairs that cannot reach each other, as "a-b" with a < b. */
        final Set<String> cut = ConcurrentHashMap.newKeySet();
        final AtomicLong calls = new AtomicLong();

        PeerLinks linksOf(int from) {
            return (to, payload, timeout) -> {
                calls.incrementAndGet();
                Node target = nodes.get(to);
                if (target == null || down.contains(to) || down.contains(from)
                        || cut.contains(Math.min(from, to) + "-" + Math.max(from, to))) {
                    return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE,
                            "node " + to + " did not answer within " + timeout.toMillis() + " ms"));
                }
                return target.handler.handle(payload.clone());
            };
        }

        void partition(int a, int b) {
            cut.add(Math.min(a, b) + "-" + Math.max(a, b));
        }
    }

    private final class Node {
        final int id;
        final SegmentStore store;
        final HintStore hints;
        final WriteCoordinator kv;
        final ReplicationPeerHandler handler;
        final HintReplayer replayer;

        Node(int id, long skewMillis) {
            this(id, skewMillis, Map.of());
        }

        Node(int id, long skewMillis, Map<String, ?> storeSettings) {
            this.id = id;
            this.store = RealStores.open(dir.resolve("node" + id), SEGMENTS, storeSettings);
            this.hints = RealStores.hints(store);
            ClusterView view = cluster.viewOf(id);
            PeerLinks links = net.linksOf(id);
            ReplicaTransport transport = new PeerLinksTransport(() -> links, () -> view.currentMap().epoch(), Duration.ofSeconds(2));
            this.kv = new WriteCoordinator(store, view, transport, hints, () -> links, Duration.ofSeconds(5),
                    () -> wall.get() + skewMillis, Limits.MAX_KEY_BYTES, Limits.MAX_VALUE_BYTES, WriteConcern.QUORUM);
            this.handler = new ReplicationPeerHandler(kv);
            this.replayer = new HintReplayer(hints, view, transport, wall::get, 2, 1000, 30_000, 2000);
        }

        Optional<Record> raw(String key) {
            byte[] k = Keys.utf8(key);
            return store.read(Segments.segmentOf(k, SEGMENTS), k);
        }

        long pendingFor(int node) {
            return hints.pending().getOrDefault(node, 0L);
        }
    }

    @BeforeEach
    void start() {
        cluster.set(List.of(1, 2, 3), Set.of(1, 2, 3));
    }

    private void nodes(long skew1, long skew2, long skew3) {
        nodes.put(1, new Node(1, skew1));
        nodes.put(2, new Node(2, skew2));
        nodes.put(3, new Node(3, skew3));
    }

    /**
     * The event type of a change is decided where it is coordinated and travels with the
     * replication: every replica's outbox holds the same events, with the same ids, in the same
     * order, including the EXPIRED of a reaped key.
     */
    @Test
    void everyReplicasOutboxRecordsTheEventsTheCoordinatorDecided() {
        Map<String, String> outbox = Map.of("earthwo.storage.outbox.enabled", "true");
        for (int id = 1; id <= 3; id++) {
            nodes.put(id, new Node(id, 0, outbox));
        }
        WriteCoordinator kv = nodes.get(1).kv;
        kv.put(b("k"), b("v1"), WriteOptions.DEFAULT.withConcern(WriteConcern.ALL));
        kv.put(b("k"), b("v2"), WriteOptions.DEFAULT.withConcern(WriteConcern.ALL));
        kv.delete(b("k"), WriteOptions.DEFAULT.withConcern(WriteConcern.ALL));
        kv.put(b("e"), b("x"), WriteOptions.of(WriteConcern.ALL, wall.get() + 50));
        Version expiring = nodes.get(1).raw("e").orElseThrow().version();
        wall.addAndGet(50);
        assertTrue(kv.reapAsync(b("e"), expiring).toCompletableFuture().join());

        List<String> first = null;
        for (int id = 1; id <= 3; id++) {
            List<String> events = new ArrayList<>();
            for (int s = 0; s < SEGMENTS; s++) {
                for (KeyEvent e : nodes.get(id).store.events(s, Version.ZERO, 100)) {
                    events.add(Keys.string(e.key()) + " " + e.type() + " " + e.id());
                }
            }
            events.sort(null);
            List<String> types = events.stream().map(x -> x.split(" ")[0] + " " + x.split(" ")[1]).toList();
            assertTrue(types.containsAll(List.of("k CREATED", "k UPDATED", "k DELETED", "e CREATED", "e EXPIRED"))
                    && types.size() == 5, "node " + id + ": " + events);
            if (first == null) {
                first = events;
            } else {
                assertEquals(first, events, "node " + id + " holds the same events, ids included, as node 1");
            }
        }
    }

    @AfterEach
    void stop() {
        nodes.values().forEach(n -> RealStores.close(n.store));
    }

    private static byte[] b(String s) {
        return Keys.utf8(s);
    }

    private static WriteOptions w(WriteConcern c) {
        return WriteOptions.DEFAULT.withConcern(c);
    }

    private void assertEverywhere(String key, String value) {
        Record first = nodes.get(1).raw(key).orElseThrow(() -> new AssertionError(key + " missing on node 1"));
        for (Node n : nodes.values()) {
            Record r = n.raw(key).orElseThrow(() -> new AssertionError(key + " missing on node " + n.id));
            assertEquals(first, r, key + " differs on node " + n.id);
            if (value == null) {
                assertTrue(r.isTombstone(), key + " is deleted on node " + n.id);
            } else {
                assertEquals(value, Keys.string(r.value()), key + " on node " + n.id);
            }
        }
    }

    private void assertEverywhereOf(List<Integer> ids, String key) {
        Record first = nodes.get(ids.get(0)).raw(key).orElseThrow();
        for (int id : ids) {
            assertEquals(first, nodes.get(id).raw(key).orElseThrow(), key + " on node " + id);
        }
    }

    @Test
    void writesOnAnyReplicaReachEveryReplica() {
        nodes(0, 0, 0);
        for (int i = 0; i < 30; i++) {
            Node coordinator = nodes.get(1 + i % 3);
            Version v = coordinator.kv.put(b("key" + i), b("v" + i), w(WriteConcern.ALL));
            assertEquals(coordinator.id, v.nodeId(), "the coordinating replica stamps the version");
        }
        for (int i = 0; i < 30; i++) {
            assertEverywhere("key" + i, "v" + i);
        }
        assertTrue(nodes.get(2).kv.delete(b("key4"), w(WriteConcern.ALL)));
        assertEverywhere("key4", null);
        for (Node n : nodes.values()) {
            assertTrue(n.kv.get(b("key4")).isEmpty());
            assertEquals(Map.of(), n.hints.pending(), "nothing was missed");
        }
        nodes.get(3).kv.put(b("ttl"), b("x"), WriteOptions.of(WriteConcern.QUORUM, START + 60_000));
        assertEquals(START + 60_000, nodes.get(1).raw("ttl").orElseThrow().expiresAt(), "expiry is replicated");
    }

    @Test
    void quorumSurvivesANodeDownAllDoesNotAndTheNodeCatchesUpFromHints() {
        nodes(0, 0, 0);
        Node one = nodes.get(1);
        // Node 3 dies: the map no longer lists it as live, so it is hinted without a send.
        net.down.add(3);
        cluster.set(List.of(1, 2, 3), Set.of(1, 2));
        long callsBefore = net.calls.get();
        one.kv.put(b("a"), b("1"), w(WriteConcern.QUORUM));
        assertEquals(callsBefore + 1, net.calls.get(), "only node 2 was called");
        one.kv.put(b("b"), b("1"), WriteOptions.DEFAULT);
        EarthwoException e = assertThrows(EarthwoException.class, () -> one.kv.put(b("c"), b("1"), w(WriteConcern.ALL)));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(one.raw("c").isPresent(), "kept where it was applied");
        assertTrue(nodes.get(2).raw("c").isPresent(), "and sent to the live replica");
        assertTrue(nodes.get(3).raw("a").isEmpty());
        assertEquals(3, one.pendingFor(3));

        // The map says node 3 is live again but it does not answer yet: hints after the failed send.
        cluster.set(List.of(1, 2, 3), Set.of(1, 2, 3));
        nodes.get(2).kv.put(b("d"), b("1"), w(WriteConcern.QUORUM));
        nodes.get(2).kv.delete(b("a"), w(WriteConcern.QUORUM));
        assertEquals(2, nodes.get(2).pendingFor(3));
        assertEquals(0, one.replayer.runOnce(), "replay to a node that does not answer fails");
        assertEquals(3, one.pendingFor(3));
        assertEquals(1, one.replayer.failures.sum());

        // Node 3 returns. Replay waits for the backoff, then sends everything in order.
        net.down.remove(3);
        assertEquals(0, one.replayer.runOnce(), "still backing off");
        wall.addAndGet(1000);
        assertEquals(3, one.replayer.runOnce());
        assertEquals(2, nodes.get(2).replayer.runOnce());
        for (Node n : nodes.values()) {
            assertEquals(Map.of(), n.hints.pending(), "no hints left on node " + n.id);
        }
        assertEverywhere("a", null);
        assertEverywhere("b", "1");
        assertEverywhere("c", "1");
        assertEverywhere("d", "1");
        assertEquals(0, one.replayer.runOnce(), "nothing more to replay");
    }

    @Test
    void aReturningNodeThatMissesAKeyReadsItFromTheOtherReplicasAndKeepsIt() {
        nodes(0, 0, 0);
        net.down.add(3);
        cluster.set(List.of(1, 2, 3), Set.of(1, 2));
        nodes.get(1).kv.put(b("missed"), b("while-down"), w(WriteConcern.QUORUM));
        // Node 3 is back and serves before any hint was replayed to it (e.g. as master again).
        net.down.remove(3);
        cluster.set(List.of(3, 1, 2), Set.of(1, 2, 3));
        Node three = nodes.get(3);
        assertTrue(three.raw("missed").isEmpty());
        assertEquals("while-down", Keys.string(three.kv.get(b("missed")).orElseThrow().value()));
        assertTrue(three.raw("missed").isPresent(), "the read repaired the returning replica");
        assertTrue(three.kv.get(b("never-written")).isEmpty(), "a key no replica has is still absent");
    }

    /**
     * Once anti-entropy has found a replica's copy of a segment in sync, a key missing there is
     * absent: the read costs no message to the other replicas. A copy not yet confirmed still asks.
     */
    @Test
    void aMissOnACopyConfirmedInSyncAsksNoOtherReplica() {
        nodes(0, 0, 0);
        cluster.set(List.of(1, 2, 3), Set.of(1, 2, 3));
        Node one = nodes.get(1);
        assertTrue(one.kv.get(b("absent-1")).isEmpty());
        assertEquals(1, one.kv.readsAskedReplicas.sum(), "not confirmed yet: the other replicas are asked");
        one.kv.trustMissesWhen(segment -> true);
        assertTrue(one.kv.get(b("absent-2")).isEmpty());
        assertEquals(1, one.kv.readsAskedReplicas.sum(), "confirmed in sync: a miss is answered here");
    }

    /**
     * A replica that was just added (syncing) takes writes but its copy may be stale: its reads ask
     * the serving replicas and the newest version wins; W counts the serving replicas only.
     */
    @Test
    void aSyncingReplicaTakesWritesAndReadsTheNewestFromTheServingReplicas() {
        nodes(0, 0, 0);
        cluster.set(List.of(1, 2), Set.of(1, 2, 3));
        nodes.get(1).kv.put(b("k"), b("old"), w(WriteConcern.ALL));
        // node 3 holds an old copy from an earlier time it was a replica
        nodes.get(3).store.apply(Segments.segmentOf(b("k"), SEGMENTS), nodes.get(1).raw("k").orElseThrow());
        nodes.get(1).kv.put(b("k"), b("new"), w(WriteConcern.ALL));
        cluster.set(List.of(1, 2, 3), Set.of(1, 2, 3), Set.of(3));
        assertEquals("old", Keys.string(nodes.get(3).raw("k").orElseThrow().value()));
        assertEquals("new", Keys.string(nodes.get(3).kv.get(b("k")).orElseThrow().value()),
                "a syncing replica does not answer from its stale copy");
        assertEquals("new", Keys.string(nodes.get(3).raw("k").orElseThrow().value()), "and keeps the newer one");

        nodes.get(1).kv.put(b("fresh"), b("1"), w(WriteConcern.QUORUM));
        assertEverywhere("fresh", "1"); // new writes reach the syncing replica too

        net.down.add(3);
        nodes.get(1).kv.put(b("all"), b("1"), w(WriteConcern.ALL)); // ALL = both serving replicas
        assertEquals(1, nodes.get(1).pendingFor(3), "the syncing replica that missed it gets a hint");
    }

    @Test
    void hintsForANodeThatLeftTheClusterAreDropped() {
        nodes(0, 0, 0);
        net.down.add(3);
        cluster.set(List.of(1, 2, 3), Set.of(1, 2));
        nodes.get(1).kv.put(b("a"), b("1"), w(WriteConcern.QUORUM));
        nodes.get(1).kv.put(b("b"), b("1"), w(WriteConcern.QUORUM));
        assertEquals(2, nodes.get(1).pendingFor(3));
        assertEquals(0, nodes.get(1).replayer.runOnce());
        assertEquals(2, nodes.get(1).pendingFor(3), "kept while node 3 is in its grace period");

        cluster.set(List.of(1, 2), Set.of(1, 2)); // past the grace: node 3 is gone from the map
        assertEquals(0, nodes.get(1).replayer.runOnce());
        assertEquals(0, nodes.get(1).pendingFor(3), "hints for a node that left are dropped");
        assertEquals(2, nodes.get(1).replayer.dropped.sum());
    }

    @Test
    void aHintedWriteOlderThanWhatTheReplicaHasDoesNotOverwriteIt() {
        nodes(0, 0, 0);
        net.down.add(3);
        nodes.get(1).kv.put(b("k"), b("old"), w(WriteConcern.QUORUM));
        net.down.remove(3);
        nodes.get(2).kv.put(b("k"), b("new"), w(WriteConcern.ALL));
        assertEquals(1, nodes.get(1).replayer.runOnce());
        assertEquals(0, nodes.get(1).pendingFor(3), "a stale hint is acknowledged and removed");
        assertEverywhere("k", "new");
    }

    @Test
    void lastWriterWinsByVersionAcrossAPartition() {
        // Node 1's clock runs 5 s ahead, so its write is the newer one although it happens first.
        nodes(5_000, 0, 0);
        net.partition(1, 2);
        net.partition(1, 3);
        nodes.get(1).kv.put(b("k"), b("from-1"), w(WriteConcern.ONE));
        wall.addAndGet(10);
        nodes.get(2).kv.put(b("k"), b("from-2"), w(WriteConcern.QUORUM));
        assertEquals("from-2", Keys.string(nodes.get(3).raw("k").orElseThrow().value()));
        assertEquals("from-1", Keys.string(nodes.get(1).raw("k").orElseThrow().value()));

        net.cut.clear();
        wall.addAndGet(1000);
        nodes.values().forEach(n -> n.replayer.runOnce());
        assertEverywhere("k", "from-1");
        assertEquals(1, nodes.get(1).raw("k").orElseThrow().version().nodeId());
        nodes.values().forEach(n -> assertEquals(Map.of(), n.hints.pending()));
    }

    @Test
    void aNodeThatIsNotAReplicaForwardsToTheMasterWhichStampsTheVersion() {
        nodes(0, 0, 0);
        cluster.set(List.of(2, 3), Set.of(1, 2, 3));
        Node one = nodes.get(1);
        Version v = one.kv.put(b("k"), b("v1"), w(WriteConcern.ALL));
        assertEquals(2, v.nodeId(), "stamped by the master, not the forwarding node");
        assertTrue(one.raw("k").isEmpty(), "the forwarding node keeps no copy");
        assertEquals(v, nodes.get(2).raw("k").orElseThrow().version());
        assertEquals(v, nodes.get(3).raw("k").orElseThrow().version());
        assertEquals(1, one.kv.forwarded.sum());
        assertEquals(1, nodes.get(2).kv.forwardsReceived.sum());

        // The master does not answer: the next replica takes the write.
        net.down.add(2);
        Version v2 = one.kv.put(b("k"), b("v2"), w(WriteConcern.ONE));
        assertEquals(3, v2.nodeId());
        assertEquals("v2", Keys.string(nodes.get(3).raw("k").orElseThrow().value()));
        assertEquals(1, nodes.get(3).pendingFor(2), "the master gets it as a hint");
        net.down.remove(2);

        assertEquals("v1", Keys.string(nodes.get(2).raw("k").orElseThrow().value()));
        // Node 2 has not seen v2 yet (it waits as a hint); its clock has moved on, so its delete wins.
        wall.addAndGet(1);
        assertTrue(one.kv.delete(b("k"), w(WriteConcern.ONE)), "the master still had v1 live");
        assertTrue(nodes.get(3).raw("k").orElseThrow().isTombstone());
        assertEquals(1, nodes.get(3).replayer.runOnce(), "node 3 replays v2 to the master, where the delete is newer");
        assertEverywhereOf(List.of(2, 3), "k");
        assertFalse(one.kv.delete(b("never"), w(WriteConcern.ONE)));

        // A forwarded write keeps its typed errors.
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> one.kv.put(b("k"), b("x"), WriteOptions.of(WriteConcern.ONE, START - 1))).code());
    }

    @Test
    void withoutLinksANonReplicaAnswersWrongSegment() {
        SegmentStore store = RealStores.open(dir.resolve("alone"), SEGMENTS);
        try {
            cluster.set(List.of(2, 3), Set.of(1, 2, 3));
            WriteCoordinator alone = new WriteCoordinator(store, cluster.viewOf(1), new NoRemoteTransport(),
                    RealStores.hints(store), () -> null, Duration.ofSeconds(1), wall::get,
                    Limits.MAX_KEY_BYTES, Limits.MAX_VALUE_BYTES, WriteConcern.QUORUM);
            EarthwoException e = assertThrows(EarthwoException.class, () -> alone.put(b("k"), b("v"), WriteOptions.DEFAULT));
            assertEquals(ErrorCode.WRONG_SEGMENT, e.code());
        } finally {
            RealStores.close(store);
        }
    }

    @Test
    void aNodeWhoseClockIsThirtySecondsBehindLosesNoSingleWriterUpdate() {
        nodes(0, -30_000, 0);
        for (int i = 0; i < 20; i++) {
            Node coordinator = nodes.get(i % 2 == 0 ? 1 : 2);
            coordinator.kv.put(b("counter"), b(String.valueOf(i)), w(WriteConcern.QUORUM));
            wall.addAndGet(1);
            for (Node n : nodes.values()) {
                assertArrayEquals(b(String.valueOf(i)), n.kv.get(b("counter")).orElseThrow().value(),
                        "update " + i + " on node " + n.id);
            }
        }
        assertTrue(nodes.get(2).kv.clockDriftMillis() >= 29_000, "node 2's logical clock follows the versions it saw");
    }
}

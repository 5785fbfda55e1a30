package earthwo.replication.internal.antientropy;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.Segments;
import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.cluster.TestClusterView;
import earthwo.api.storage.SegmentStore;
import earthwo.storage.internal.RealStores;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** N real JE stores in one JVM, each with an anti-entropy engine, linked by direct calls that count bytes. */
final class TestCluster implements AutoCloseable {

    final int segments;
    final List<SegmentStore> stores = new ArrayList<>();
    final List<AntiEntropy> engines = new ArrayList<>();
    final Links links = new Links();
    final List<TestClusterView> views = new ArrayList<>();
    volatile long now = System.currentTimeMillis();

    TestCluster(Path dir, int nodes, int segments, long graceMillis) {
        this(dir, nodes, segments, graceMillis, 0);
    }

    /** @param syncingNode a node whose replica of every segment is syncing (just added), or 0 */
    TestCluster(Path dir, int nodes, int segments, long graceMillis, int syncingNode) {
        this.segments = segments;
        List<Integer> ids = new ArrayList<>();
        Map<Integer, NodeInfo> infos = new HashMap<>();
        for (int n = 1; n <= nodes; n++) {
            ids.add(n);
            infos.put(n, new NodeInfo(n, "127.0.0.1", 7380 + n));
        }
        List<List<Integer>> replicas = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            replicas.add(ids);
        }
        Map<Integer, Set<Integer>> syncing = new HashMap<>();
        for (int s = 0; s < segments && syncingNode > 0; s++) {
            syncing.put(s, Set.of(syncingNode));
        }
        SegmentMap map = new SegmentMap(1, nodes, replicas, infos, syncing);
        for (int n = 1; n <= nodes; n++) {
            SegmentStore store = RealStores.open(dir.resolve("node" + n), segments);
            stores.add(store);
            TestClusterView view = new TestClusterView(n, map);
            view.setController(1);
            views.add(view);
            AntiEntropy engine = new AntiEntropy(store, view, () -> links, graceMillis, () -> now, Duration.ofSeconds(30));
            engines.add(engine);
            links.handlers.put(n, engine.handler);
        }
    }

    /** How every node reconciles (the policy is the cluster's). */
    void setPolicy(ReconcilePolicy policy) {
        views.forEach(v -> v.setReconcilePolicy(policy));
    }

    /** Segments {@code node} reported caught up (through {@link ClusterView#markCaughtUp}). */
    Set<Integer> caughtUp(int node) {
        return views.get(node - 1).caughtUp();
    }

    SegmentStore store(int node) {
        return stores.get(node - 1);
    }

    AntiEntropy engine(int node) {
        return engines.get(node - 1);
    }

    static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    int segmentOf(byte[] key) {
        return Segments.segmentOf(key, segments);
    }

    void put(int node, String key, String value, long ts, int writer) {
        byte[] k = key(key);
        store(node).apply(segmentOf(k), Record.value(k, value.getBytes(StandardCharsets.UTF_8), new Version(ts, writer), Record.NEVER));
    }

    void delete(int node, String key, long ts, int writer) {
        byte[] k = key(key);
        store(node).apply(segmentOf(k), Record.tombstone(k, new Version(ts, writer)));
    }

    Record read(int node, String key) {
        byte[] k = key(key);
        return store(node).read(segmentOf(k), k).orElse(null);
    }

    /** Runs a pass of every segment on the master (node 1). */
    List<AntiEntropy.PeerResult> passAll() {
        List<AntiEntropy.PeerResult> out = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            out.addAll(engine(1).passSegment(s));
        }
        return out;
    }

    List<Record> all(int node, int segment) {
        List<Record> out = new ArrayList<>();
        byte[] after = null;
        while (true) {
            List<Record> page = store(node).scan(segment, new byte[0], after, 10_000);
            out.addAll(page);
            if (page.size() < 10_000) {
                return out;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    boolean equalStores(int a, int b) {
        for (int s = 0; s < segments; s++) {
            if (!all(a, s).equals(all(b, s))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        for (SegmentStore s : stores) {
            RealStores.close(s);
        }
    }

    /** PeerLinks that calls the other node's handler directly and counts the bytes both ways. */
    static final class Links implements PeerLinks {
        final Map<Integer, PeerHandler> handlers = new ConcurrentHashMap<>();
        final Set<Integer> down = ConcurrentHashMap.newKeySet();
        final AtomicLong requestBytes = new AtomicLong();
        final AtomicLong answerBytes = new AtomicLong();
        final AtomicLong messages = new AtomicLong();

        @Override
        public CompletionStage<byte[]> call(int nodeId, byte[] payload, Duration timeout) {
            PeerHandler h = handlers.get(nodeId);
            if (h == null || down.contains(nodeId)) {
                return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE, "node " + nodeId + " unreachable"));
            }
            messages.incrementAndGet();
            requestBytes.addAndGet(payload.length);
            return h.handle(payload.clone()).thenApply(a -> {
                answerBytes.addAndGet(a.length);
                return a;
            });
        }

        long total() {
            return requestBytes.get() + answerBytes.get();
        }

        void reset() {
            requestBytes.set(0);
            answerBytes.set(0);
            messages.set(0);
        }
    }
}

package earthwo.ttl.internal;

import earthwo.api.logging.RateLimitedLog;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.ReplicaSync;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.cluster.TestClusterView;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node (id 1) with a fake store, Kv, cluster view and ReplicaSync, and a reap pass over them.
 * The ReplicaSync confirms every segment in sync unless a test changes {@link #confirmed} (or
 * removes the service: {@link #sync} null).
 */
final class Fixture {

    static final int SELF = 1;
    static final int OTHER = 2;

    final AtomicLong now = new AtomicLong(1_000_000);
    final FakeStore store;
    final FakeKv kv;
    final TestClusterView cluster;
    final ReapStats stats = new ReapStats();
    final InFlight inFlight;
    final ReapDispatcher dispatcher;
    /** Segments the fake ReplicaSync reports confirmed in sync (with {@link #OTHER}). */
    final Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
    /** When set, the fake ReplicaSync throws it. */
    volatile RuntimeException syncFailure;
    /** A ReplicaSync that reports the {@link #confirmed} segments in sync with {@link #OTHER}. */
    final ReplicaSync fakeSync = new ReplicaSync() {
        @Override
        public Map<Integer, Set<Integer>> inSync() {
            if (syncFailure != null) {
                throw syncFailure;
            }
            Map<Integer, Set<Integer>> m = new TreeMap<>();
            for (int s : cluster.currentMap().segmentsOf(SELF)) {
                m.put(s, confirmed.contains(s) ? Set.of(OTHER) : Set.of());
            }
            return m;
        }

        @Override
        public long lastPass(int segment) {
            return 0;
        }
    };
    /** The ReplicaSync service the reaper sees ({@link #fakeSync} unless a test changes it); null: none. */
    volatile ReplicaSync sync = fakeSync;
    final ReapGate gate;
    private long nextVersion = 1;

    /** {@code masters[s]}: the master of segment s; the other node is its second replica. */
    Fixture(int inFlightBound, int... masters) {
        store = new FakeStore(masters.length);
        kv = new FakeKv(store, now::get);
        cluster = new TestClusterView(SELF, map(1, Map.of(), masters));
        inFlight = new InFlight(inFlightBound);
        dispatcher = new ReapDispatcher(kv, inFlight, stats, now::get, SELF, new RateLimitedLog());
        gate = new ReapGate(cluster, () -> sync);
        for (int s = 0; s < masters.length; s++) {
            confirmed.add(s);
        }
    }

    /** A map where this node is the sole replica (and so master) of each of the segments. */
    static SegmentMap soleReplicaMap(long epoch, int segments) {
        List<List<Integer>> replicas = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            replicas.add(List.of(SELF));
        }
        return new SegmentMap(epoch, 1, replicas, Map.of(SELF, new NodeInfo(SELF, "127.0.0.1", 7380)));
    }

    static SegmentMap map(long epoch, Map<Integer, Set<Integer>> syncing, int... masters) {
        List<List<Integer>> replicas = new ArrayList<>();
        for (int m : masters) {
            replicas.add(m == SELF ? List.of(SELF, OTHER) : List.of(m, SELF));
        }
        return new SegmentMap(epoch, 2, replicas, Map.of(SELF, new NodeInfo(SELF, "127.0.0.1", 7380),
                OTHER, new NodeInfo(OTHER, "127.0.0.1", 7381)), syncing);
    }

    ReapPass pass(int batch) {
        return new ReapPass(store, cluster, gate, dispatcher, stats, now::get, batch, () -> false,
                new RateLimitedLog());
    }

    /** Stores a value of {@code key} in {@code segment} expiring at {@code expiresAt} (0: never). */
    Record put(int segment, String key, long expiresAt) {
        Record r = Record.value(Keys.utf8(key), Keys.utf8("v"), Version.of(nextVersion++, 0, SELF), expiresAt);
        store.put(segment, r);
        return r;
    }

    /** {@code n} keys {@code prefix0..} in the segment, expired {@code agoMillis} ago (each 1 ms apart). */
    void expired(int segment, String prefix, int n, long agoMillis) {
        for (int i = 0; i < n; i++) {
            put(segment, prefix + i, now.get() - agoMillis + i % 1000);
        }
    }
}

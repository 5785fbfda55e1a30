package earthwo.ttl.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.cluster.TestClusterView;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** A node (id 1) with a fake store, Kv and cluster view, and a reap pass over them. */
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
    private long nextVersion = 1;

    /** {@code masters[s]}: the master of segment s; the other node is its second replica. */
    Fixture(int inFlightBound, int... masters) {
        store = new FakeStore(masters.length);
        kv = new FakeKv(store, now::get);
        cluster = new TestClusterView(SELF, map(1, Map.of(), masters));
        inFlight = new InFlight(inFlightBound);
        dispatcher = new ReapDispatcher(kv, inFlight, stats, now::get, SELF, new RateLimitedLog());
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
        return new ReapPass(store, cluster, dispatcher, stats, now::get, batch, () -> false, new RateLimitedLog());
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

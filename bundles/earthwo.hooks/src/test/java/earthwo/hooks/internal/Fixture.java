package earthwo.hooks.internal;

import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.cluster.TestClusterView;
import earthwo.api.hooks.KeyHook;
import earthwo.api.cluster.TestClusterDocuments;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Node 1 with a fake outbox store and cluster view, and hooks components over them (stopped by
 * {@link #close}). Segment {@code s} is mastered by {@code masters[s]}; the other node is its
 * second replica.
 */
final class Fixture implements AutoCloseable {

    static final int SELF = 1;
    static final int OTHER = 2;

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final FakeOutboxStore store;
    final TestClusterView cluster;
    /** The cluster's documents, shared with other fixtures given them. */
    final TestClusterDocuments documents;
    private final List<HooksComponent> components = new ArrayList<>();
    private final AtomicLong serviceIds = new AtomicLong(100);

    Fixture(boolean outbox, int... masters) {
        store = new FakeOutboxStore(masters.length, outbox, now::get);
        documents = new TestClusterDocuments();
        cluster = new TestClusterView(SELF, map(1, masters));
    }

    /** Over a store of the test's own. */
    Fixture(FakeOutboxStore store, int... masters) {
        this(store, new TestClusterDocuments(), masters);
    }

    /** Over a store and cluster documents of the test's own. */
    Fixture(FakeOutboxStore store, TestClusterDocuments documents, int... masters) {
        this.store = store;
        this.documents = documents;
        cluster = new TestClusterView(SELF, map(1, masters));
    }

    static SegmentMap map(long epoch, int... masters) {
        List<List<Integer>> replicas = new ArrayList<>();
        for (int m : masters) {
            replicas.add(m == SELF ? List.of(SELF, OTHER) : List.of(m, SELF));
        }
        return new SegmentMap(epoch, 2, replicas, Map.of(SELF, new NodeInfo(SELF, "127.0.0.1", 7380),
                OTHER, new NodeInfo(OTHER, "127.0.0.1", 7381)), Map.of());
    }

    /** Settings for tests: settle 0, timeout 200 ms, back-off up to 200 ms, long housekeeping intervals. */
    static HooksSettings settings(int batch) {
        return new HooksSettings(batch, 200, 200, 0, 60_000, 7L * 86_400_000, 60_000);
    }

    HooksComponent start(HooksSettings settings) {
        return start(settings, 0);
    }

    /** {@code linksWaitMs}: how long a new master waits for links the test has not set yet, as a starting node's does. */
    HooksComponent start(HooksSettings settings, long linksWaitMs) {
        HooksComponent c = new HooksComponent(store, cluster, documents, settings, now::get, linksWaitMs);
        components.add(c);
        return c;
    }

    void stop(HooksComponent c) {
        c.deactivate();
        components.remove(c);
    }

    /** Registers {@code hook} under {@code name} with extra service properties (key, value, ...); returns its service id. */
    long register(HooksComponent c, KeyHook hook, String name, Object... props) {
        Map<String, Object> p = new HashMap<>();
        p.put(KeyHook.NAME, name);
        for (int i = 0; i < props.length; i += 2) {
            p.put((String) props[i], props[i + 1]);
        }
        long id = serviceIds.incrementAndGet();
        c.add(hook, p, "test.bundle", id);
        return id;
    }

    /** Live threads of hooks (by name prefix). */
    static Set<String> hookThreads() {
        Set<String> out = new java.util.TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && (t.getName().startsWith(HookRunner.THREAD_PREFIX) || t.getName().equals(Housekeeping.NAME))) {
                out.add(t.getName());
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (HooksComponent c : List.copyOf(components)) {
            c.deactivate();
        }
        components.clear();
    }
}

package earthwo.cluster.internal;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.cluster.SegmentMap;
import earthwo.cluster.internal.MapCodec.MapDoc;

/**
 * This node's copy of the segment map the controller writes: it watches the map znode, keeps
 * the newest epoch seen (an older map arriving late is ignored) and tells the listeners. The
 * last map stays while ZooKeeper is away, so the data plane keeps serving on it.
 */
final class SegmentMapCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentMapCache.class);

    private final int nodeId;
    private final String cluster;
    /** This node's own reaction to a new map, run before any listener sees it. */
    private final Consumer<MapDoc> onNewMap;
    private final CopyOnWriteArrayList<Consumer<SegmentMap>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstMap = new CountDownLatch(1);
    private final Object mapLock = new Object();
    private CuratorCache cache;
    private volatile MapDoc current;
    private volatile SegmentMap currentMap;

    SegmentMapCache(int nodeId, String cluster, Consumer<MapDoc> onNewMap) {
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.onNewMap = onNewMap;
    }

    void start(CuratorFramework client, ClusterPaths paths) {
        cache = CuratorCache.build(client, paths.map(), CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldData, data) -> onMapData(data.getData()))
                .build());
        cache.start();
    }

    /** The map as written, with what the API's view leaves out (sessions, down nodes, target); null before the first. */
    MapDoc currentDoc() {
        return current;
    }

    /** The current map, null before the first. */
    SegmentMap currentMap() {
        return currentMap;
    }

    /** The current map's epoch, 0 before the first. */
    long epoch() {
        MapDoc m = current;
        return m == null ? 0 : m.epoch;
    }

    /** True when the current map is the placement's target with no replica syncing. */
    boolean settled() {
        MapDoc m = current;
        return m != null && m.target == null && m.syncing.isEmpty();
    }

    /** Waits until the first segment map is known; true if it is. */
    boolean awaitFirstMap(long timeout, TimeUnit unit) throws InterruptedException {
        return firstMap.await(timeout, unit);
    }

    AutoCloseable onMapChange(Consumer<SegmentMap> listener) {
        // registered first, then called with the current map: a map arriving in between may be
        // delivered twice (listeners compare epochs), but is never missed
        listeners.add(listener);
        SegmentMap m = currentMap;
        if (m != null) {
            notify(listener, m);
        }
        return () -> listeners.remove(listener);
    }

    private void onMapData(byte[] data) {
        MapDoc doc;
        try {
            doc = MapCodec.decodeMap(data);
        } catch (RuntimeException e) {
            LOG.error("node {} cluster {}: ignoring malformed segment map: {}", nodeId, cluster, e.toString());
            return;
        }
        if (doc == null) {
            return;
        }
        SegmentMap map;
        synchronized (mapLock) {
            MapDoc old = current;
            if (old != null && doc.epoch <= old.epoch) {
                return;
            }
            map = doc.toSegmentMap();
            current = doc;
            currentMap = map;
        }
        LOG.info("node {} cluster {} epoch {}: new segment map, controller {}, nodes {}, this node masters {} and holds"
                + " {} of {} segments", nodeId, cluster, doc.epoch, doc.controller, map.nodes().keySet(),
                masteredBy(map, nodeId), map.segmentsOf(nodeId).size(), map.segmentCount());
        firstMap.countDown();
        onNewMap.accept(doc);
        for (Consumer<SegmentMap> l : listeners) {
            notify(l, map);
        }
    }

    private void notify(Consumer<SegmentMap> listener, SegmentMap map) {
        try {
            listener.accept(map);
        } catch (RuntimeException e) {
            LOG.error("node {} cluster {} epoch {}: a segment map listener failed", nodeId, cluster, map.epoch(), e);
        }
    }

    /** How many segments the map names the node master of. */
    static int masteredBy(SegmentMap map, int node) {
        int n = 0;
        for (int s = 0; s < map.segmentCount(); s++) {
            if (map.master(s) == node) {
                n++;
            }
        }
        return n;
    }

    /** Stops watching the map; the listeners stay until {@link #removeListeners()}. */
    @Override
    public void close() {
        if (cache != null) {
            cache.close();
        }
    }

    void removeListeners() {
        listeners.clear();
    }
}

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
 * last map stays while ZooKeeper is away, so the data plane keeps serving on it, and every map
 * from ZooKeeper is kept on disk too ({@link PersistedMap}) for a restart while ZooKeeper is away.
 *
 * <p>A map from disk only stands in until ZooKeeper's arrives: the first map from ZooKeeper
 * replaces it even with a lower epoch (ZooKeeper is the authority; a lower epoch there means the
 * cluster's ZooKeeper data was made anew, and a node that kept waiting for a higher one would
 * never follow the cluster again).
 */
final class SegmentMapCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentMapCache.class);

    /** Where the current map came from; shown in the status as {@code map.source}. */
    enum Source {
        NONE, DISK, ZOOKEEPER;

        String label() {
            return name().toLowerCase();
        }
    }

    private final int nodeId;
    private final String cluster;
    /** This node's own reaction to a new map, run before any listener sees it. */
    private final Consumer<MapDoc> onNewMap;
    /** Keeps every map from ZooKeeper on disk, after the listeners heard of it. */
    private final Consumer<MapDoc> keep;
    private final CopyOnWriteArrayList<Consumer<SegmentMap>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstMap = new CountDownLatch(1);
    private final Object mapLock = new Object();
    private CuratorCache cache;
    private volatile MapDoc current;
    private volatile SegmentMap currentMap;
    private volatile Source source = Source.NONE;

    SegmentMapCache(int nodeId, String cluster, Consumer<MapDoc> onNewMap, Consumer<MapDoc> keep) {
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.onNewMap = onNewMap;
        this.keep = keep;
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

    /** Where the current map came from. */
    Source source() {
        return source;
    }

    /**
     * Serves on a map kept on disk by an earlier run, until ZooKeeper's arrives. Ignored when a
     * map is already known; true if taken.
     */
    boolean offerKept(MapDoc doc) {
        return accept(doc, Source.DISK);
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

    /** The map watch's callback with the znode's content (tests feed it directly). */
    void onMapData(byte[] data) {
        MapDoc doc;
        try {
            doc = MapCodec.decodeMap(data);
        } catch (RuntimeException e) {
            LOG.error("node {} cluster {}: ignoring malformed segment map: {}", nodeId, cluster, e.toString());
            return;
        }
        if (doc != null) {
            accept(doc, Source.ZOOKEEPER);
        }
    }

    /** Takes the map if it replaces the current one (see the class comment); true if taken. */
    private boolean accept(MapDoc doc, Source from) {
        SegmentMap map;
        synchronized (mapLock) {
            MapDoc old = current;
            if (old != null) {
                boolean replacesKept = from == Source.ZOOKEEPER && source == Source.DISK;
                if (!replacesKept && (from == Source.DISK || doc.epoch <= old.epoch)) {
                    return false;
                }
                if (replacesKept && doc.epoch < old.epoch) {
                    LOG.warn("node {} cluster {}: ZooKeeper's segment map has epoch {}, older than the epoch {} this"
                            + " node kept: ZooKeeper's data was made anew; following it", nodeId, cluster, doc.epoch,
                            old.epoch);
                }
            }
            map = doc.toSegmentMap();
            current = doc;
            currentMap = map;
            source = from;
        }
        LOG.info("node {} cluster {} epoch {}: {} segment map, controller {}, nodes {}, this node masters {} and holds"
                + " {} of {} segments", nodeId, cluster, doc.epoch, from == Source.DISK ? "kept" : "new", doc.controller,
                map.nodes().keySet(), masteredBy(map, nodeId), map.segmentsOf(nodeId).size(), map.segmentCount());
        firstMap.countDown();
        onNewMap.accept(doc);
        for (Consumer<SegmentMap> l : listeners) {
            notify(l, map);
        }
        if (from == Source.ZOOKEEPER) {
            keep.accept(doc);
        }
        return true;
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

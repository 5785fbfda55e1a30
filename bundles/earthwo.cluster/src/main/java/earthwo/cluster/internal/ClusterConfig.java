package earthwo.cluster.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.NodeProperties;
import earthwo.api.Segments;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.SegmentMap;
import earthwo.cluster.internal.MapCodec.ConfigDoc;

/**
 * The cluster-wide config znode: segment count S, replica count R, master pins and reconcile
 * policy. Any node changes it (compare-and-set on the znode's version); the controller reacts to
 * R and the pins, and every node caches the pins and the policy it last read.
 */
final class ClusterConfig implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterConfig.class);

    private final ZooKeeperSession session;
    private final ClusterPaths paths;
    private final ClusterSettings settings;
    private final int nodeId;
    private CuratorCache cache;
    private volatile ReconcilePolicy policy = ReconcilePolicy.MERGE;
    private volatile Map<Integer, Integer> pins = Map.of();

    ClusterConfig(ZooKeeperSession session, ClusterPaths paths, ClusterSettings settings, int nodeId) {
        this.session = session;
        this.paths = paths;
        this.settings = settings;
        this.nodeId = nodeId;
    }

    /** Creates the cluster config on first start; checks an explicit segment count against it. */
    void ensureExists() throws Exception {
        CuratorFramework client = session.client();
        int segments = settings.segments() == null ? Segments.DEFAULT_COUNT : settings.segments();
        ConfigDoc wanted = new ConfigDoc(segments, settings.replicas());
        try {
            client.create().creatingParentsIfNeeded().forPath(paths.config(), MapCodec.encode(wanted));
            LOG.info("node {} cluster {}: created cluster with {} segments, {} replicas", nodeId, settings.cluster(),
                    segments, settings.replicas());
            return;
        } catch (KeeperException.NodeExistsException e) {
            // an existing cluster: check below
        }
        ConfigDoc existing = MapCodec.decode(client.getData().forPath(paths.config()), ConfigDoc.class, "cluster config");
        if (existing == null) {
            throw new IllegalStateException("cluster config " + paths.config() + " is empty");
        }
        remember(existing);
        if (settings.segments() != null && settings.segments() != existing.segments) {
            throw new IllegalStateException("cluster " + settings.cluster() + " was created with " + existing.segments
                    + " segments; " + NodeProperties.SEGMENTS + "=" + settings.segments()
                    + " differs (the segment count is fixed when a cluster is created)");
        }
    }

    /** Watches the config znode, so changes made by any node reach this node's cache. */
    void start() {
        cache = CuratorCache.build(session.client(), paths.config(), CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldData, data) -> onConfigData(data.getData()))
                .build());
        cache.start();
    }

    /** Changes the replica count R of the cluster (the controller then adds or drops replicas). */
    void setReplicationFactor(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1: " + replicas);
        }
        update("replica count set to " + replicas, doc -> doc.replicas = replicas);
    }

    /**
     * Pins (or with -1 unpins) the master of a segment. The node must be known to the given map
     * (live, or lost within the grace period). The controller then puts it first in the segment's
     * replica list, adding it as a replica if it is not one (see {@link SegmentPlacement}).
     */
    void pinMaster(int segment, int node, SegmentMap map) {
        if (map != null && (segment < 0 || segment >= map.segmentCount())) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST,
                    "segment must be between 0 and " + (map.segmentCount() - 1) + ", not " + segment);
        }
        if (node < -1) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "node must be a node id or -1 (unpin), not " + node);
        }
        if (node >= 0 && map != null && !map.nodes().containsKey(node)) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST,
                    "node " + node + " is not in the cluster (nodes " + map.nodes().keySet() + ")");
        }
        update(node < 0 ? "master of segment " + segment + " unpinned"
                : "master of segment " + segment + " pinned to node " + node, doc -> {
                    if (segment < 0 || segment >= doc.segments) {
                        throw new EarthwoException(ErrorCode.BAD_REQUEST,
                                "segment must be between 0 and " + (doc.segments - 1) + ", not " + segment);
                    }
                    Map<Integer, Integer> pins = new TreeMap<>(doc.pins());
                    if (node < 0) {
                        pins.remove(segment);
                    } else {
                        pins.put(segment, node);
                    }
                    doc.pins = pins.isEmpty() ? null : pins;
                });
    }

    void setReconcilePolicy(ReconcilePolicy policy) {
        if (policy == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "policy must be merge or master");
        }
        update("reconcile policy set to " + policy.name().toLowerCase(), doc -> doc.policy = policy);
        this.policy = policy;
    }

    /** The reconcile policy as last read from the cluster config (MERGE unless set). */
    ReconcilePolicy reconcilePolicy() {
        return policy;
    }

    /** The master pins as last read from the cluster config (segment → node). */
    Map<Integer, Integer> pins() {
        return pins;
    }

    /**
     * Read-modify-write of the cluster config, compare-and-set on the znode's version (retried
     * when another node changed it in between). UNAVAILABLE without a ZooKeeper session.
     */
    private void update(String what, Consumer<ConfigDoc> change) {
        if (!session.isConnected()) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE,
                    "not connected to ZooKeeper at " + session.connectString() + ": cannot change the cluster config");
        }
        CuratorFramework client = session.client();
        try {
            while (true) {
                Stat stat = new Stat();
                ConfigDoc doc = MapCodec.decode(client.getData().storingStatIn(stat).forPath(paths.config()),
                        ConfigDoc.class, "cluster config");
                if (doc == null) {
                    throw new IllegalStateException("cluster config " + paths.config() + " is empty");
                }
                change.accept(doc);
                try {
                    client.setData().withVersion(stat.getVersion()).forPath(paths.config(), MapCodec.encode(doc));
                    remember(doc);
                    // debug only: this runs on the caller's thread, which for a Gogo command is
                    // the command's output; every node logs the new config from its config cache
                    LOG.debug("node {} cluster {}: {}", nodeId, settings.cluster(), what);
                    return;
                } catch (KeeperException.BadVersionException e) {
                    // changed concurrently: read again
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "cannot change the cluster config: " + e, e);
        }
    }

    private void onConfigData(byte[] data) {
        try {
            ConfigDoc doc = MapCodec.decode(data, ConfigDoc.class, "cluster config");
            if (doc != null) {
                remember(doc);
                LOG.info("node {} cluster {}: cluster config: R={}, master pins {}, reconcile policy {}", nodeId,
                        settings.cluster(), doc.replicas, doc.pins(), doc.policy().name().toLowerCase());
            }
        } catch (RuntimeException e) {
            LOG.error("node {} cluster {}: ignoring malformed cluster config: {}", nodeId, settings.cluster(),
                    e.toString());
        }
    }

    private void remember(ConfigDoc doc) {
        policy = doc.policy();
        pins = Map.copyOf(new TreeMap<>(doc.pins()));
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.close();
        }
    }
}

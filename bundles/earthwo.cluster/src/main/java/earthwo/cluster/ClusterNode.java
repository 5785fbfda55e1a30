package earthwo.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.SegmentMap;
import earthwo.cluster.MapCodec.ConfigDoc;
import earthwo.cluster.MapCodec.MapDoc;
import earthwo.cluster.MapCodec.NodeDoc;

/**
 * One node's membership in the cluster, free of OSGi types: embedded ZooKeeper (if no connect
 * string), Curator client, node registration, controller election and the cached segment map.
 * {@link #start()} opens everything, {@link #close()} closes it in reverse order.
 */
public final class ClusterNode implements ClusterView, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterSettings settings;
    private final ClusterPaths paths;
    private final CopyOnWriteArrayList<Consumer<SegmentMap>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstMap = new CountDownLatch(1);
    private final Object mapLock = new Object();
    private int nodeId;
    private EmbeddedZooKeeper embedded;
    private CuratorFramework client;
    /** Curator never shuts down the "run safe" executor it makes itself, so we give it ours. */
    private ExecutorService runSafe;
    private PersistentNode registration;
    private CuratorCache mapCache;
    private Controller controller;
    private volatile MapDoc current;
    private volatile SegmentMap currentMap;
    private volatile boolean connected;
    private volatile boolean closed;
    private String connectString;

    public ClusterNode(ClusterSettings settings) {
        this.settings = settings;
        this.paths = ClusterPaths.of(settings.cluster());
    }

    /** Starts everything; on failure closes what was opened and rethrows. */
    public ClusterNode start() throws Exception {
        try {
            doStart();
            return this;
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private void doStart() throws Exception {
        nodeId = NodeIdFile.loadOrCreate(settings.dataDir());
        connectString = settings.zkConnect();
        if (connectString.isEmpty()) {
            embedded = EmbeddedZooKeeper.start(settings.dataDir().resolve("zk"), settings.zkPort());
            connectString = embedded.connectString();
        }
        LOG.info("node {} cluster {}: connecting to ZooKeeper at {}", nodeId, settings.cluster(), connectString);
        runSafe = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "earthwo-curator-notify-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        client = CuratorFrameworkFactory.builder()
                .runSafeService(runSafe)
                .connectString(connectString)
                .sessionTimeoutMs(settings.sessionTimeoutMs())
                .connectionTimeoutMs(settings.connectionTimeoutMs())
                .retryPolicy(new ExponentialBackoffRetry(200, 29, 5000))
                .ensembleTracker(false)
                .build();
        client.getConnectionStateListenable().addListener((c, state) -> onConnectionState(state));
        client.start();
        if (!client.blockUntilConnected(settings.connectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
            LOG.warn("node {} cluster {}: not connected to ZooKeeper at {} after {} ms, still trying", nodeId,
                    settings.cluster(), connectString, settings.connectionTimeoutMs());
        }
        connected = client.getZookeeperClient().isConnected();
        ensureConfig();
        ensurePersistent(paths.nodes());

        mapCache = CuratorCache.build(client, paths.map(), CuratorCache.Options.SINGLE_NODE_CACHE);
        mapCache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldData, data) -> onMapData(data.getData()))
                .build());
        mapCache.start();

        NodeDoc self = new NodeDoc(nodeId, settings.host(), settings.port());
        registration = new PersistentNode(client, CreateMode.EPHEMERAL, false, paths.node(nodeId), MapCodec.encode(self));
        registration.start();
        if (!registration.waitForInitialCreate(settings.connectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
            LOG.warn("node {} cluster {}: registration at {} not yet created", nodeId, settings.cluster(),
                    paths.node(nodeId));
        }

        controller = new Controller(client, paths, nodeId, settings.cluster(), settings.graceMs(), System::currentTimeMillis);
        controller.start();
        LOG.info("node {} cluster {}: started, registered as {}:{}", nodeId, settings.cluster(), settings.host(),
                settings.port());
    }

    /** Creates the cluster config on first start; checks an explicit segment count against it. */
    private void ensureConfig() throws Exception {
        int segments = settings.segments() == null ? earthwo.api.Segments.DEFAULT_COUNT : settings.segments();
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
        if (settings.segments() != null && settings.segments() != existing.segments) {
            throw new IllegalStateException("cluster " + settings.cluster() + " was created with " + existing.segments
                    + " segments; " + earthwo.api.NodeProperties.SEGMENTS + "=" + settings.segments()
                    + " differs (the segment count is fixed when a cluster is created)");
        }
    }

    private void ensurePersistent(String path) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(path);
        } catch (KeeperException.NodeExistsException e) {
            // already there
        }
    }

    /**
     * Changes the replica count R of the cluster (the controller then adds or drops replicas).
     */
    @Override
    public void setReplicationFactor(int replicas) {
        try {
            writeReplicationFactor(replicas);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new earthwo.api.EarthwoException(earthwo.api.ErrorCode.UNAVAILABLE,
                    "cannot change the replica count: " + e, e);
        }
    }

    // TEMPORARY until cluster:master / cluster:policy land (issue 3, in progress).
    @Override
    public void pinMaster(int segment, int nodeId) {
        throw new UnsupportedOperationException("pinMaster is being implemented");
    }

    @Override
    public void setReconcilePolicy(earthwo.api.cluster.ReconcilePolicy policy) {
        throw new UnsupportedOperationException("setReconcilePolicy is being implemented");
    }

    @Override
    public earthwo.api.cluster.ReconcilePolicy reconcilePolicy() {
        return earthwo.api.cluster.ReconcilePolicy.MERGE;
    }

    private void writeReplicationFactor(int replicas) throws Exception {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1: " + replicas);
        }
        while (true) {
            org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
            ConfigDoc doc = MapCodec.decode(client.getData().storingStatIn(stat).forPath(paths.config()),
                    ConfigDoc.class, "cluster config");
            doc.replicas = replicas;
            try {
                client.setData().withVersion(stat.getVersion()).forPath(paths.config(), MapCodec.encode(doc));
                LOG.info("node {} cluster {}: replica count set to {}", nodeId, settings.cluster(), replicas);
                return;
            } catch (KeeperException.BadVersionException e) {
                // changed concurrently: read again
            }
        }
    }

    private void onConnectionState(ConnectionState state) {
        boolean now = state.isConnected();
        if (now != connected) {
            connected = now;
            MapDoc m = current;
            LOG.info("node {} cluster {} epoch {}: ZooKeeper {}", nodeId, settings.cluster(), m == null ? 0 : m.epoch,
                    state.name().toLowerCase());
        }
    }

    private void onMapData(byte[] data) {
        MapDoc doc;
        try {
            doc = MapCodec.decodeMap(data);
        } catch (RuntimeException e) {
            LOG.error("node {} cluster {}: ignoring malformed segment map: {}", nodeId, settings.cluster(), e.toString());
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
                + " {} of {} segments", nodeId, settings.cluster(), doc.epoch, doc.controller, map.nodes().keySet(),
                mastered(map), map.segmentsOf(nodeId).size(), map.segmentCount());
        firstMap.countDown();
        for (Consumer<SegmentMap> l : listeners) {
            notify(l, map);
        }
    }

    private void notify(Consumer<SegmentMap> listener, SegmentMap map) {
        try {
            listener.accept(map);
        } catch (RuntimeException e) {
            LOG.error("node {} cluster {} epoch {}: a segment map listener failed", nodeId, settings.cluster(),
                    map.epoch(), e);
        }
    }

    private int mastered(SegmentMap map) {
        int n = 0;
        for (int s = 0; s < map.segmentCount(); s++) {
            if (map.master(s) == nodeId) {
                n++;
            }
        }
        return n;
    }

    /** Waits until the first segment map is known; true if it is. */
    public boolean awaitFirstMap(long timeout, TimeUnit unit) throws InterruptedException {
        return firstMap.await(timeout, unit);
    }

    @Override
    public int localNodeId() {
        return nodeId;
    }

    @Override
    public String clusterName() {
        return settings.cluster();
    }

    @Override
    public SegmentMap currentMap() {
        return currentMap;
    }

    @Override
    public boolean isConnected() {
        return connected && !closed;
    }

    @Override
    public int controllerId() {
        MapDoc m = current;
        if (!isConnected()) {
            return -1;
        }
        if (controller != null && controller.isLeader()) {
            return nodeId;
        }
        return m == null ? -1 : m.controller;
    }

    /** True while this node is the controller. */
    public boolean isController() {
        return controller != null && controller.isLeader() && isConnected();
    }

    @Override
    public AutoCloseable onMapChange(Consumer<SegmentMap> listener) {
        // registered first, then called with the current map: a map arriving in between may be
        // delivered twice (listeners compare epochs), but is never missed
        listeners.add(listener);
        SegmentMap m = currentMap;
        if (m != null) {
            notify(listener, m);
        }
        return () -> listeners.remove(listener);
    }

    /** The facts of the "cluster" status source. */
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        MapDoc m = current;
        SegmentMap map = currentMap;
        s.put("node", nodeId);
        s.put("name", settings.cluster());
        s.put("zookeeper", embedded != null ? "embedded " + connectString : connectString);
        s.put("connected", isConnected());
        s.put("controller", controllerId());
        s.put("isController", isController());
        s.put("epoch", m == null ? 0 : m.epoch);
        if (map != null) {
            s.put("segments", map.segmentCount());
            s.put("replicas", map.replicationFactor());
            s.put("nodes", map.nodes().keySet());
            s.put("down", m.down.keySet());
            s.put("mastered", mastered(map));
            s.put("held", map.segmentsOf(nodeId).size());
        }
        return s;
    }

    /** Closes in reverse order of start; the embedded server stops after Curator is closed. */
    @Override
    public void close() {
        closed = true;
        if (controller != null) {
            controller.close();
        }
        if (registration != null) {
            try {
                registration.close();
            } catch (Exception e) {
                LOG.debug("closing the node registration", e);
            }
        }
        if (mapCache != null) {
            mapCache.close();
        }
        if (client != null) {
            client.close();
        }
        if (runSafe != null) {
            runSafe.shutdownNow();
            try {
                runSafe.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (embedded != null) {
            embedded.close();
        }
        listeners.clear();
        LOG.info("node {} cluster {}: stopped", nodeId, settings.cluster());
    }
}

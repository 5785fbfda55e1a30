package earthwo.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
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
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.ReconcilePolicy;
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
    private volatile ReconcilePolicy policy = ReconcilePolicy.MERGE;
    private volatile Map<Integer, Integer> pins = Map.of();
    private CuratorCache configCache;
    private String connectString;
    /** The ZooKeeper session this node holds (0: none); the map must name it for master duties. */
    private volatile long sessionId;
    /** Whether master duties were fenced at the last check, to log the transitions once. */
    private volatile boolean fenced;
    /** Syncing replicas of this node that caught up: segment → syncing-since epoch (published in the registration). */
    private final Map<Integer, Long> caughtUp = new TreeMap<>();

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
        if (connected) {
            sessionId = currentSession();
        }
        ensureConfig();
        ensurePersistent(paths.nodes());

        configCache = CuratorCache.build(client, paths.config(), CuratorCache.Options.SINGLE_NODE_CACHE);
        configCache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldData, data) -> onConfigData(data.getData()))
                .build());
        configCache.start();

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

        controller = new Controller(client, paths, nodeId, settings.cluster(), settings.graceMs(), settings.maxSyncing(),
                System::currentTimeMillis);
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
        cacheConfig(existing);
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
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1: " + replicas);
        }
        updateConfig("replica count set to " + replicas, doc -> doc.replicas = replicas);
    }

    /**
     * Pins (or with -1 unpins) the master of a segment. The node must be known to the current map
     * (live, or lost within the grace period). The controller then puts it first in the segment's
     * replica list, adding it as a replica if it is not one (see {@link SegmentPlacement}).
     */
    @Override
    public void pinMaster(int segment, int node) {
        SegmentMap map = currentMap;
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
        updateConfig(node < 0 ? "master of segment " + segment + " unpinned"
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

    @Override
    public void setReconcilePolicy(ReconcilePolicy policy) {
        if (policy == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "policy must be merge or master");
        }
        updateConfig("reconcile policy set to " + policy.name().toLowerCase(), doc -> doc.policy = policy);
        this.policy = policy;
    }

    /** The reconcile policy as last read from the cluster config (MERGE unless set). */
    @Override
    public ReconcilePolicy reconcilePolicy() {
        return policy;
    }

    /** The master pins as last read from the cluster config (segment → node). */
    public Map<Integer, Integer> pins() {
        return pins;
    }

    /**
     * Read-modify-write of the cluster config, compare-and-set on the znode's version (retried
     * when another node changed it in between). UNAVAILABLE without a ZooKeeper session.
     */
    private void updateConfig(String what, Consumer<ConfigDoc> change) {
        if (!isConnected()) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE,
                    "not connected to ZooKeeper at " + connectString + ": cannot change the cluster config");
        }
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
                    cacheConfig(doc);
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
                cacheConfig(doc);
                LOG.info("node {} cluster {}: cluster config: R={}, master pins {}, reconcile policy {}", nodeId,
                        settings.cluster(), doc.replicas, doc.pins(), doc.policy().name().toLowerCase());
            }
        } catch (RuntimeException e) {
            LOG.error("node {} cluster {}: ignoring malformed cluster config: {}", nodeId, settings.cluster(),
                    e.toString());
        }
    }

    private void cacheConfig(ConfigDoc doc) {
        policy = doc.policy();
        pins = Map.copyOf(new TreeMap<>(doc.pins()));
    }

    private void onConnectionState(ConnectionState state) {
        boolean now = state.isConnected();
        if (now) {
            sessionId = currentSession();
        }
        if (state == ConnectionState.LOST) {
            // Disconnected for longer than the session timeout (or expired): the ephemeral
            // registration and the controller latch go with the session; Curator re-creates both
            // with a new session when ZooKeeper is back. The data plane keeps serving the last map.
            MapDoc m = current;
            LOG.warn("node {} cluster {} epoch {}: ZooKeeper session lost; serving on the last map, registering again"
                    + " when ZooKeeper at {} returns", nodeId, settings.cluster(), m == null ? 0 : m.epoch,
                    connectString);
        }
        if (now != connected) {
            connected = now;
            MapDoc m = current;
            LOG.info("node {} cluster {} epoch {}: ZooKeeper {}", nodeId, settings.cluster(), m == null ? 0 : m.epoch,
                    state.name().toLowerCase());
        }
        checkFence();
    }

    private long currentSession() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * True while this node may act as master: connected, and the current map was written for the
     * session it holds. After a lost or expired session the node's registration comes back with a
     * new session, and only a map the controller writes for it lifts the fence.
     */
    private boolean mayActAsMaster() {
        MapDoc m = current;
        long session = sessionId;
        return isConnected() && m != null && session != 0 && m.session(nodeId) == session;
    }

    @Override
    public boolean isMaster(int segment) {
        SegmentMap map = currentMap;
        return map != null && segment >= 0 && segment < map.segmentCount() && map.master(segment) == nodeId
                && mayActAsMaster();
    }

    /** Logs when master duties are fenced and when they are given back (re-election). */
    private void checkFence() {
        SegmentMap map = currentMap;
        if (map == null) {
            return;
        }
        boolean now = !mayActAsMaster();
        if (now == fenced) {
            return;
        }
        fenced = now;
        if (now) {
            LOG.warn("node {} cluster {} epoch {}: fenced: not acting as master of {} segments until the controller"
                    + " publishes a map for this node's ZooKeeper session (connected {}, session {})", nodeId,
                    settings.cluster(), map.epoch(), mastered(map), isConnected(), Long.toHexString(sessionId));
        } else {
            LOG.info("node {} cluster {} epoch {}: re-elected: acting as master of {} segments (session {})", nodeId,
                    settings.cluster(), map.epoch(), mastered(map), Long.toHexString(sessionId));
        }
    }

    @Override
    public void markCaughtUp(int segment, long passEpoch) {
        MapDoc m = current;
        Map<Integer, Long> sync = m == null ? null : m.syncing.get(segment);
        Long since = sync == null ? null : sync.get(nodeId);
        if (since == null || passEpoch < since) {
            return;
        }
        synchronized (caughtUp) {
            if (since.equals(caughtUp.get(segment))) {
                return;
            }
            caughtUp.put(segment, since);
            publishCaughtUp();
        }
        LOG.info("node {} cluster {} epoch {} segment {}: replica caught up (syncing since epoch {}), asking to serve",
                nodeId, settings.cluster(), m.epoch, segment, since);
    }

    /** Drops reports the new map has consumed (the replica serves, or is no longer wanted). */
    private void pruneCaughtUp(MapDoc map) {
        synchronized (caughtUp) {
            boolean changed = caughtUp.entrySet().removeIf(e -> {
                Map<Integer, Long> sync = map.syncing.get(e.getKey());
                return sync == null || !e.getValue().equals(sync.get(nodeId));
            });
            if (changed) {
                publishCaughtUp();
            }
        }
    }

    /** Writes the registration with the current reports (caller holds the caughtUp lock). */
    private void publishCaughtUp() {
        PersistentNode r = registration;
        if (r == null) {
            return;
        }
        NodeDoc self = new NodeDoc(nodeId, settings.host(), settings.port());
        self.caughtUp = caughtUp.isEmpty() ? null : new TreeMap<>(caughtUp);
        try {
            r.setData(MapCodec.encode(self)); // written in the background; kept across re-registration
        } catch (Exception e) {
            LOG.warn("node {} cluster {}: could not publish caught-up replicas {}: {}", nodeId, settings.cluster(),
                    caughtUp.keySet(), e.toString());
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
        pruneCaughtUp(doc);
        checkFence();
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

    /** True when the current map is the placement's target with no replica syncing. */
    boolean settled() {
        MapDoc m = current;
        return m != null && m.target == null && m.syncing.isEmpty();
    }

    /** The Curator client (tests inject session expiry through it). */
    CuratorFramework curator() {
        return client;
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
        s.put("fenced", !mayActAsMaster());
        if (map != null) {
            s.put("segments", map.segmentCount());
            s.put("replicas", map.replicationFactor());
            s.put("nodes", map.nodes().keySet());
            s.put("down", m.down.keySet());
            s.put("mastered", mastered(map));
            s.put("held", map.segmentsOf(nodeId).size());
            int syncing = 0;
            for (int seg : map.segmentsOf(nodeId)) {
                if (map.isSyncing(seg, nodeId)) {
                    syncing++;
                }
            }
            s.put("syncing", syncing);
        }
        s.put("policy", policy.name().toLowerCase());
        s.put("pins", pins);
        return s;
    }

    /** Closes in reverse order of start; the embedded server stops after Curator is closed. */
    @Override
    public void close() {
        closed = true;
        if (controller != null) {
            controller.close();
        }
        if (client != null && !client.getZookeeperClient().isConnected()) {
            // without ZooKeeper, deleting the registration would retry for minutes: close the
            // client first (the ephemeral registration ends with the session) so it fails fast
            client.close();
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
        if (configCache != null) {
            configCache.close();
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

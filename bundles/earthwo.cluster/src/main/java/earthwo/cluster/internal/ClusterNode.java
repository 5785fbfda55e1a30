package earthwo.cluster.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.SegmentMap;
import earthwo.cluster.internal.MapCodec.MapDoc;

/**
 * One node's membership in the cluster, free of OSGi types. It wires the parts together and is
 * the {@link ClusterView} the other bundles use:
 * <ul>
 * <li>{@link ZooKeeperSession}: embedded server (if no connect string), Curator client, session;
 * <li>{@link ClusterConfig}: replica count, master pins, reconcile policy;
 * <li>{@link SegmentMapCache}: the segment map this node serves on, and its listeners;
 * <li>{@link MasterFence}: whether this node may act as master right now;
 * <li>{@link NodeRegistration} and {@link CatchUpMarks}: what this node tells the controller;
 * <li>{@link Controller}: the election, and the map writing while this node is controller.
 * </ul>
 * {@link #start()} opens everything, {@link #close()} closes it in reverse order.
 */
public final class ClusterNode implements ClusterView, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterSettings settings;
    private final ClusterPaths paths;
    private int nodeId;
    private ZooKeeperSession session;
    private ClusterConfig config;
    private SegmentMapCache maps;
    private MasterFence fence;
    private NodeRegistration registration;
    private CatchUpMarks catchUp;
    private Controller controller;
    private ZooKeeperClock zkClock;

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
        String cluster = settings.cluster();
        // built before the session opens: its connection events check the fence and log the map's epoch
        maps = new SegmentMapCache(nodeId, cluster, this::onNewMap);
        session = new ZooKeeperSession(settings, nodeId, maps::epoch, this::onSessionStateChange);
        fence = new MasterFence(nodeId, cluster, session, maps);
        registration = new NodeRegistration(settings, paths, nodeId);
        catchUp = new CatchUpMarks(nodeId, cluster, registration, maps);
        config = new ClusterConfig(session, paths, settings, nodeId);

        session.open();
        config.ensureExists();
        session.createIfAbsent(paths.nodes());
        config.start();
        maps.start(session.client(), paths);
        registration.start(session.client());
        zkClock = new ZooKeeperClock(nodeId, paths.clock(nodeId), session.client());
        zkClock.start();
        controller = new Controller(session.client(), paths, nodeId, cluster, settings.graceMs(),
                settings.maxSyncing(), System::currentTimeMillis);
        controller.start();
        LOG.info("node {} cluster {}: started, registered as {}:{}", nodeId, cluster, settings.host(),
                settings.port());
    }

    private void onSessionStateChange() {
        fence.check();
    }

    /** This node's own reaction to a new map, before the map listeners hear of it. */
    private void onNewMap(MapDoc map) {
        catchUp.prune(map);
        fence.check();
    }

    @Override
    public void setReplicationFactor(int replicas) {
        config.setReplicationFactor(replicas);
    }

    /** See {@link ClusterConfig#pinMaster}: checked against the current map, then written. */
    @Override
    public void pinMaster(int segment, int node) {
        config.pinMaster(segment, node, maps.currentMap());
    }

    @Override
    public void setReconcilePolicy(ReconcilePolicy policy) {
        config.setReconcilePolicy(policy);
    }

    @Override
    public ReconcilePolicy reconcilePolicy() {
        return config.reconcilePolicy();
    }

    /** The master pins as last read from the cluster config (segment → node). */
    public Map<Integer, Integer> pins() {
        return config.pins();
    }

    @Override
    public boolean isMaster(int segment) {
        return fence.isMaster(segment);
    }

    @Override
    public void markCaughtUp(int segment, long passEpoch) {
        catchUp.markCaughtUp(segment, passEpoch);
    }

    /** True when the current map is the placement's target with no replica syncing. */
    boolean settled() {
        return maps.settled();
    }

    /** The Curator client (tests inject session expiry through it). */
    CuratorFramework curator() {
        return session.client();
    }

    /** Waits until the first segment map is known; true if it is. */
    public boolean awaitFirstMap(long timeout, TimeUnit unit) throws InterruptedException {
        return maps.awaitFirstMap(timeout, unit);
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
        return maps.currentMap();
    }

    @Override
    public boolean isConnected() {
        return session.isConnected();
    }

    @Override
    public int controllerId() {
        MapDoc m = maps.currentDoc();
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
    public OptionalLong referenceClockOffsetMillis() {
        ZooKeeperClock c = zkClock;
        return c == null ? OptionalLong.empty() : c.offsetMillis();
    }

    @Override
    public AutoCloseable onMapChange(Consumer<SegmentMap> listener) {
        return maps.onMapChange(listener);
    }

    /** The facts of the "cluster" status source. */
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        MapDoc m = maps.currentDoc();
        SegmentMap map = maps.currentMap();
        s.put("node", nodeId);
        s.put("name", settings.cluster());
        s.put("zookeeper", session.describe());
        s.put("connected", isConnected());
        s.put("controller", controllerId());
        s.put("isController", isController());
        s.put("epoch", m == null ? 0 : m.epoch);
        s.put("fenced", !fence.mayActAsMaster());
        if (map != null) {
            s.put("segments", map.segmentCount());
            s.put("replicas", map.replicationFactor());
            s.put("nodes", map.nodes().keySet());
            s.put("down", m.down.keySet());
            s.put("mastered", SegmentMapCache.masteredBy(map, nodeId));
            s.put("held", map.segmentsOf(nodeId).size());
            s.put("syncing", syncingHere(map));
        }
        s.put("policy", config.reconcilePolicy().name().toLowerCase());
        s.put("pins", config.pins());
        OptionalLong zkAhead = referenceClockOffsetMillis();
        s.put("zookeeper.clock.ahead.ms", zkAhead.isPresent() ? zkAhead.getAsLong() : "unknown");
        return s;
    }

    /** How many of this node's replicas are still catching up. */
    private int syncingHere(SegmentMap map) {
        int syncing = 0;
        for (int seg : map.segmentsOf(nodeId)) {
            if (map.isSyncing(seg, nodeId)) {
                syncing++;
            }
        }
        return syncing;
    }

    /** Closes in reverse order of start; the embedded server stops after Curator is closed. */
    @Override
    public void close() {
        if (session != null) {
            session.beginClose();
        }
        if (controller != null) {
            controller.close();
        }
        if (zkClock != null) {
            zkClock.close();
        }
        if (session != null) {
            session.closeClientIfDisconnected();
        }
        if (registration != null) {
            registration.close();
        }
        if (maps != null) {
            maps.close();
        }
        if (config != null) {
            config.close();
        }
        if (session != null) {
            session.close();
        }
        if (maps != null) {
            maps.removeListeners();
        }
        LOG.info("node {} cluster {}: stopped", nodeId, settings.cluster());
    }
}

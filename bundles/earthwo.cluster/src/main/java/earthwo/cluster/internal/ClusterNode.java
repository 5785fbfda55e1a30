package earthwo.cluster.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.NodeProperties;
import earthwo.api.SecretFiles;
import earthwo.api.cluster.ClusterDocuments;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.SegmentMap;
import earthwo.cluster.internal.MapCodec.MapDoc;

/**
 * One node's membership in the cluster, free of OSGi types. It wires the parts together and is
 * the {@link ClusterView} the other bundles use:
 * <ul>
 * <li>{@link ZooKeeperSession}: embedded server (if no connect string), Curator client, session,
 * authenticated with the identity {@link ZooKeeperAcl} derives from the cluster secret ({@link earthwo.api.SecretFiles#clusterSecret});
 * <li>{@link ClusterConfig}: replica count, master pins, reconcile policy;
 * <li>{@link SegmentMapCache}: the segment map this node serves on, and its listeners;
 * <li>{@link PersistedMap}: that map kept on disk, for a start without ZooKeeper;
 * <li>{@link MasterFence}: whether this node may act as master right now;
 * <li>{@link NodeRegistration} and {@link CatchUpMarks}: what this node tells the controller;
 * <li>{@link Controller}: the election, and the map writing while this node is controller;
 * <li>{@link ClusterDocumentStore}: the cluster documents, with this node's copies of them;
 * <li>{@link ZooKeeperJoin}: the thread that starts the parts above that need ZooKeeper.
 * </ul>
 * {@link #start()} opens everything, {@link #close()} closes it in reverse order.
 *
 * <p>The part that needs ZooKeeper runs as a {@link ZooKeeperJoin}. When ZooKeeper answers within
 * the connection timeout, start waits for it as before (and fails as before, e.g. on a segment
 * count the cluster was not created with). When it does not, start returns at once: the node
 * serves on the map it kept from its last run ({@link PersistedMap}), fenced from master duties
 * (not connected, and the map names its old session), and joins in the background when ZooKeeper
 * is back; a node that never joined has no map and waits for ZooKeeper's. Either way closing the
 * node stops the wait at once.
 */
public final class ClusterNode implements ClusterView, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterSettings settings;
    private final ClusterPaths paths;
    private int nodeId;
    private PersistedMap persisted;
    private ZooKeeperSession session;
    private ClusterConfig config;
    private ClusterDocumentStore documents;
    private SegmentMapCache maps;
    private MasterFence fence;
    private NodeRegistration registration;
    private CatchUpMarks catchUp;
    private ZooKeeperJoin join;
    // set by the join's thread
    private volatile Controller controller;
    private volatile ZooKeeperClock zkClock;

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
        ZooKeeperAcl acl = ZooKeeperAcl.of(SecretFiles.clusterSecret(settings.clusterSecretFile(), settings.embeddedZooKeeper()), cluster);
        persisted = new PersistedMap(settings.dataDir(), cluster, nodeId);
        MapDoc kept = persisted.read();
        // built before the session opens: its connection events check the fence and log the map's epoch
        maps = new SegmentMapCache(nodeId, cluster, this::onNewMap, persisted::write);
        session = new ZooKeeperSession(settings, nodeId, maps::epoch, this::onSessionStateChange, acl);
        fence = new MasterFence(nodeId, cluster, session, maps);
        registration = new NodeRegistration(settings, paths, nodeId);
        catchUp = new CatchUpMarks(nodeId, cluster, registration, maps);
        config = new ClusterConfig(session, paths, settings, nodeId);
        documents = new ClusterDocumentStore(nodeId, cluster, paths,
                new KeptDocuments(settings.dataDir(), cluster, nodeId),
                new DocumentWriter(session, paths, nodeId, cluster, settings.connectionTimeoutMs()),
                settings.connectionTimeoutMs());
        documents.loadKeptCopies();

        session.open();
        join = new ZooKeeperJoin(nodeId, cluster, session, this::prepareInZooKeeper, this::watchZooKeeper);
        join.start();
        if (session.isConnected() && join.await(settings.connectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
            return;
        }
        String why = session.isConnected()
                ? "joining the cluster in ZooKeeper at " + session.connectString() + " takes longer than "
                        + settings.connectionTimeoutMs() + " ms"
                : "ZooKeeper at " + session.connectString() + " not reachable";
        if (kept == null) {
            LOG.warn("node {} cluster {}: {} and no segment map kept in {} (the node never joined): it serves once the"
                    + " cluster's map arrives from ZooKeeper", nodeId, cluster, why, persisted.file());
            return;
        }
        checkSegmentCount(kept.segments.size());
        if (maps.offerKept(kept)) {
            LOG.warn("node {} cluster {} epoch {}: {}: serving on the segment map kept in {}, without master duties,"
                    + " until the node has joined", nodeId, cluster, kept.epoch, why, persisted.file());
        }
    }

    /** Cluster config and the parent of the registrations: repeated after a ZooKeeper error. */
    private void prepareInZooKeeper() throws Exception {
        try {
            config.ensureExists();
            session.createIfAbsent(paths.nodes());
            session.createIfAbsent(paths.docs());
        } catch (KeeperException.NoAuthException e) {
            throw new IllegalStateException("ZooKeeper at " + session.connectString() + " refuses this node access to "
                    + paths.base() + ": its cluster secret (" + settings.clusterSecretFile() + ") is not the one the"
                    + " cluster's nodes use", e);
        }
    }

    /** Watches config, documents and map, registers, measures the clock, stands for controller: once. */
    private void watchZooKeeper() throws Exception {
        String cluster = settings.cluster();
        config.start();
        documents.start(session.client());
        maps.start(session.client(), paths);
        registration.start(session.client());
        ZooKeeperClock clock = new ZooKeeperClock(nodeId, paths.clock(nodeId), session.client());
        zkClock = clock;
        clock.start();
        Controller c = new Controller(session.client(), paths, nodeId, cluster, settings.graceMs(),
                settings.maxSyncing(), System::currentTimeMillis);
        controller = c;
        c.start();
        LOG.info("node {} cluster {}: joined, registered as {}:{}", nodeId, cluster, settings.host(), settings.port());
    }

    /** An explicitly set segment count must be the cluster's, with or without ZooKeeper (see ClusterConfig). */
    private void checkSegmentCount(int clusterSegments) {
        if (settings.segments() != null && settings.segments() != clusterSegments) {
            throw new IllegalStateException("cluster " + settings.cluster() + " was created with " + clusterSegments
                    + " segments; " + NodeProperties.SEGMENTS + "=" + settings.segments()
                    + " differs (the segment count is fixed when a cluster is created)");
        }
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

    /** How often this node's master duties were fenced since it started. */
    int timesFenced() {
        return fence.timesFenced();
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

    /** True once the ZooKeeper part of the start is done (registered, watching, in the election). */
    boolean joined() {
        return join != null && join.joined();
    }

    @Override
    public int controllerId() {
        MapDoc m = maps.currentDoc();
        if (!isConnected()) {
            return -1;
        }
        Controller c = controller;
        if (c != null && c.isLeader()) {
            return nodeId;
        }
        return m == null ? -1 : m.controller;
    }

    /** True while this node is the controller. */
    public boolean isController() {
        Controller c = controller;
        return c != null && c.isLeader() && isConnected();
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

    /** The cluster documents, served from this node's copies until ZooKeeper answers. */
    public ClusterDocuments documents() {
        return documents;
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
        s.put("joined", joined());
        Throwable joinFailure = join == null ? null : join.failure();
        if (joinFailure != null) {
            s.put("join.error", joinFailure.getMessage());
        }
        s.put("epoch", m == null ? 0 : m.epoch);
        s.put("map.source", maps.source().label());
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
        if (join != null) {
            join.close(session::closeClient);
        }
        Controller controller = this.controller;
        ZooKeeperClock zkClock = this.zkClock;
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
        if (documents != null) {
            documents.close();
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

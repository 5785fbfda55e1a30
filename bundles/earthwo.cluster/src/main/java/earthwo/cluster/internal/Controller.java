package earthwo.cluster.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.cluster.internal.MapCodec.ConfigDoc;
import earthwo.cluster.internal.MapCodec.MapDoc;
import earthwo.cluster.internal.MapCodec.NodeDoc;

/**
 * Takes part in the controller election; while this node is controller, it watches the node
 * registrations and the cluster config and writes the segment map.
 *
 * <p>Writes are compare-and-set: a ZooKeeper transaction that checks this node's latch znode
 * still exists and sets the map at the version it read, so a controller that lost its session or
 * was overtaken cannot overwrite a newer map. Every map carries epoch = previous epoch + 1.
 *
 * <p>Grace: a node in the previous map that is no longer registered is kept as a suspended
 * replica (never master) and listed in the map's {@code down} with the time it was first missed;
 * the first recompute after {@code graceMs} drops it, and only then are its replicas re-created.
 * As the time is in the map, a new controller keeps counting where the old one was.
 *
 * <p>Every change of the cluster config (R, master pins, policy) triggers a recompute; pins are
 * honoured by {@link SegmentPlacement} (see there). A policy change alone leaves the map as it is.
 *
 * <p>The placement is the target; {@link ReplicaTransition} publishes the way there a few
 * segments at a time: new replicas sync first and serve after they report having caught up (in
 * their registration, which triggers a recompute), replicas leave after their replacements serve.
 *
 * <p>Each node in the map carries the ZooKeeper session of its registration. A node that lost its
 * session registers again with a new one; the map then differs and a new epoch is written, which
 * is how a fenced node is re-elected to its master roles (see {@link MasterFence}).
 *
 * <p>Once every node of the cluster authenticates to ZooKeeper, the controller gives the znodes
 * made before ACLs the cluster's ACLs (see {@link LegacyAcls}).
 */
final class Controller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    private static final int MAX_CAS_RETRIES = 10;

    private final CuratorFramework client;
    private final ClusterPaths paths;
    private final int nodeId;
    private final String cluster;
    private final long graceMs;
    private final int maxSyncing;
    private final LongSupplier clock;
    private final LeaderLatch latch;
    private final CuratorCache nodesCache;
    private final CuratorCache configCache;
    private final ScheduledThreadPoolExecutor executor;
    private final LegacyAcls legacyAcls;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile ScheduledFuture<?> graceTimer;
    private volatile boolean closed;
    private volatile boolean nodesLoaded;
    /** Set when this node becomes controller: its first map is written even if nothing changed. */
    private volatile boolean newTerm;

    Controller(CuratorFramework client, ClusterPaths paths, int nodeId, String cluster, long graceMs, int maxSyncing,
               LongSupplier clock) {
        this.client = client;
        this.maxSyncing = maxSyncing;
        this.paths = paths;
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.graceMs = graceMs;
        this.clock = clock;
        this.latch = new LeaderLatch(client, paths.controller(), String.valueOf(nodeId), LeaderLatch.CloseMode.SILENT);
        this.nodesCache = CuratorCache.build(client, paths.nodes());
        this.configCache = CuratorCache.build(client, paths.config(), CuratorCache.Options.SINGLE_NODE_CACHE);
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "earthwo-controller-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        this.executor.setRemoveOnCancelPolicy(true);
        this.legacyAcls = new LegacyAcls(client, paths, nodeId, cluster);
    }

    void start() throws Exception {
        nodesCache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> requestRecompute())
                .forInitialized(() -> {
                    nodesLoaded = true;
                    requestRecompute();
                })
                .build());
        configCache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> requestRecompute())
                .build());
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                LOG.info("node {} cluster {}: this node is now controller", nodeId, cluster);
                newTerm = true;
                legacyAcls.newTerm();
                requestRecompute();
            }

            @Override
            public void notLeader() {
                LOG.info("node {} cluster {}: this node is no longer controller", nodeId, cluster);
            }
        });
        nodesCache.start();
        configCache.start();
        latch.start();
    }

    boolean isLeader() {
        return latch.hasLeadership();
    }

    /** Schedules a recompute on the controller thread; requests made meanwhile coalesce. */
    void requestRecompute() {
        if (closed || !nodesLoaded || !latch.hasLeadership() || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                pending.set(false);
                recompute();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pending.set(false); // closing
        }
    }

    private void recompute() {
        for (int attempt = 0; attempt < MAX_CAS_RETRIES && !closed; attempt++) {
            if (!latch.hasLeadership()) {
                return;
            }
            try {
                if (tryWrite()) {
                    return;
                }
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                LOG.warn("node {} cluster {}: computing the segment map failed, retrying in 1 s: {}", nodeId, cluster,
                        e.toString());
                schedule(1000);
                return;
            }
        }
        if (!closed) {
            schedule(200); // lost too many races: back off and try again
        }
    }

    /** One read-compute-CAS round; false when the map changed under us. */
    private boolean tryWrite() throws Exception {
        ConfigDoc config = MapCodec.decode(client.getData().forPath(paths.config()), ConfigDoc.class, "cluster config");
        if (config == null || config.segments < 1 || config.replicas < 1) {
            throw new IllegalStateException("invalid cluster config at " + paths.config());
        }
        Map<Integer, NodeDoc> live = liveNodes();
        if (!live.containsKey(nodeId)) {
            return true; // our own registration is not visible yet: a node event will follow
        }
        Stat stat = new Stat();
        MapDoc prev = null;
        try {
            prev = MapCodec.decodeMap(client.getData().storingStatIn(stat).forPath(paths.map()));
        } catch (KeeperException.NoNodeException e) {
            stat = null;
        }
        long now = clock.getAsLong();
        MapDoc next = new MapDoc();
        next.epoch = prev == null ? 1 : prev.epoch + 1;
        next.replicas = config.replicas;
        next.controller = nodeId;

        Map<Integer, NodeDoc> known = new TreeMap<>();
        Set<Integer> inPrevious = new TreeSet<>();
        if (prev != null) {
            prev.nodes.forEach(n -> known.put(n.id, n));
            prev.segments.forEach(inPrevious::addAll);
        }
        Set<Integer> members = new TreeSet<>(live.keySet());
        Set<Integer> suspended = new TreeSet<>();
        long nextExpiry = Long.MAX_VALUE;
        for (Integer id : inPrevious) {
            if (live.containsKey(id)) {
                continue;
            }
            long since = prev.down.getOrDefault(id, now);
            if (now - since < graceMs) {
                members.add(id);
                suspended.add(id);
                next.down.put(id, since);
                nextExpiry = Math.min(nextExpiry, since + graceMs);
            } else {
                LOG.info("node {} cluster {} epoch {}: grace of node {} expired, its replicas move", nodeId, cluster,
                        next.epoch, id);
            }
        }
        List<List<Integer>> previousTarget = prev == null ? null : prev.target();
        List<List<Integer>> target = SegmentPlacement.place(config.segments, config.replicas, members, suspended,
                previousTarget, config.pins());
        Map<Integer, Map<Integer, Long>> caughtUp = new TreeMap<>();
        live.forEach((id, doc) -> caughtUp.put(id, doc.caughtUp()));
        ReplicaTransition.Published published = ReplicaTransition.next(target, prev == null ? null : prev.segments,
                prev == null ? Map.of() : prev.syncing, caughtUp, live.keySet(), members, maxSyncing, next.epoch);
        next.segments = published.segments();
        next.syncing = new TreeMap<>(published.syncing());
        next.target = target.equals(next.segments) ? null : target;
        Map<Integer, NodeDoc> nodes = new TreeMap<>();
        live.forEach((id, doc) -> nodes.put(id, new NodeDoc(id, doc.host, doc.port, doc.session)));
        for (Integer id : suspended) {
            NodeDoc was = known.get(id);
            nodes.put(id, was == null ? new NodeDoc(id, "", 0) : new NodeDoc(id, was.host, was.port, was.session));
        }
        next.nodes = new ArrayList<>(nodes.values());
        scheduleGrace(nextExpiry, now);
        legacyAcls.restrictOnceAllAuthenticate(next, live);

        if (!newTerm && next.sameContent(prev)) {
            return true;
        }
        byte[] data = MapCodec.encode(next);
        String ourPath = latch.getOurPath();
        if (ourPath == null) {
            return true; // the latch has no node (reconnecting): leadership is gone or coming back
        }
        try {
            if (stat == null) {
                client.transaction().forOperations(
                        client.transactionOp().check().forPath(ourPath),
                        client.transactionOp().create().forPath(paths.map(), data));
            } else {
                client.transaction().forOperations(
                        client.transactionOp().check().forPath(ourPath),
                        client.transactionOp().setData().withVersion(stat.getVersion()).forPath(paths.map(), data));
            }
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
            LOG.info("node {} cluster {}: the map changed while computing epoch {}, recomputing", nodeId, cluster,
                    next.epoch);
            return false;
        } catch (KeeperException.NoNodeException e) {
            LOG.warn("node {} cluster {}: not writing map epoch {}: this node's controller latch is gone", nodeId,
                    cluster, next.epoch);
            return true;
        }
        newTerm = false;
        int syncing = next.syncing.values().stream().mapToInt(Map::size).sum();
        int waiting = waitingReplicas(target, next.segments);
        LOG.info("node {} cluster {} epoch {}: wrote segment map: {} segments, R={}, live nodes {}, suspended {}, "
                + "replicas syncing {}, waiting to be added {}", nodeId, cluster, next.epoch, config.segments,
                config.replicas, live.keySet(), suspended, syncing, waiting);
        return true;
    }

    /** Replicas of the target not yet in the published lists at all (added in later maps). */
    private static int waitingReplicas(List<List<Integer>> target, List<List<Integer>> published) {
        int n = 0;
        for (int s = 0; s < target.size(); s++) {
            for (int node : target.get(s)) {
                if (!published.get(s).contains(node)) {
                    n++;
                }
            }
        }
        return n;
    }

    private Map<Integer, NodeDoc> liveNodes() {
        Map<Integer, NodeDoc> live = new TreeMap<>();
        String prefix = paths.nodes() + "/";
        for (ChildData child : nodesCache.stream().toList()) {
            if (!child.getPath().startsWith(prefix) || child.getPath().indexOf('/', prefix.length()) >= 0) {
                continue;
            }
            try {
                int id = Integer.parseInt(child.getPath().substring(prefix.length()));
                NodeDoc doc = MapCodec.decode(child.getData(), NodeDoc.class, "node registration");
                long session = child.getStat() == null ? 0 : child.getStat().getEphemeralOwner();
                NodeDoc reg = doc == null ? new NodeDoc(id, "", 0, session) : new NodeDoc(id, doc.host, doc.port, session);
                reg.caughtUp = doc == null ? null : doc.caughtUp;
                reg.digestAuth = doc == null ? null : doc.digestAuth;
                live.put(id, reg);
            } catch (RuntimeException e) {
                LOG.warn("node {} cluster {}: ignoring bad registration {}: {}", nodeId, cluster, child.getPath(),
                        e.toString());
            }
        }
        return live;
    }

    private void scheduleGrace(long expiry, long now) {
        ScheduledFuture<?> old = graceTimer;
        if (old != null) {
            old.cancel(false);
        }
        if (expiry != Long.MAX_VALUE && !closed) {
            graceTimer = schedule(Math.max(1, expiry - now + 1));
        }
    }

    private ScheduledFuture<?> schedule(long delayMs) {
        try {
            return executor.schedule(this::requestRecompute, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            latch.close();
        } catch (Exception e) {
            LOG.debug("closing the controller latch", e);
        }
        nodesCache.close();
        configCache.close();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("node {} cluster {}: controller thread did not stop within 5 s", nodeId, cluster);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

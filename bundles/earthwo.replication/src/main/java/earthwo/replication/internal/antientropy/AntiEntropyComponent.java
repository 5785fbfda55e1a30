package earthwo.replication.internal.antientropy;

import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.ReplicaSync;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.SegmentStore;
import earthwo.replication.internal.VersionGuard;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * Anti-entropy and partition reconciliation (DESIGN §5, §6): answers the anti-entropy peer
 * messages (types 16–22), runs a pass every {@value AntiEntropySettings#INTERVAL} (30 s by default) for the segments
 * this node masters, and at once when a map change gives those segments replicas that may lack
 * their data (see {@link #passReason}); provides {@link ReplicaSync}
 * and the "antientropy" status. One scheduler thread, started in activate and stopped in
 * deactivate. Without {@link PeerLinks} it still answers nothing and runs no pass.
 *
 * <p>Settings: {@link AntiEntropySettings} (PID {@value AntiEntropySettings#PID}).
 */
@Component(service = {ReplicaSync.class, StatusSource.class, PeerHandler.class}, configurationPid = AntiEntropySettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        property = {"earthwo.peer.types:Integer=16", "earthwo.peer.types:Integer=17", "earthwo.peer.types:Integer=18",
                "earthwo.peer.types:Integer=19", "earthwo.peer.types:Integer=20", "earthwo.peer.types:Integer=21",
                "earthwo.peer.types:Integer=22"})
public final class AntiEntropyComponent implements ReplicaSync, StatusSource, PeerHandler {

    /** Seconds a requested pass waits for the peer links to be bound (at activation). */
    private static final int LINK_WAIT_ATTEMPTS = 30;
    /**
     * A pass a map change asked for is repeated this many times, {@value #FOLLOW_UP_DELAY_MS} ms
     * apart, while some segment is not confirmed in sync: writes coordinated on the previous map
     * while the first pass ran reach the new replica only through a later pass.
     */
    private static final int FOLLOW_UPS = 3;
    private static final long FOLLOW_UP_DELAY_MS = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(AntiEntropyComponent.class);

    private final ClusterView cluster;
    private final AntiEntropy engine;
    private final long intervalMillis;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AutoCloseable mapListener;
    /** The map seen last by {@link #mapChanged}, null before the first. */
    private volatile SegmentMap lastMap;
    /** Set when a pass was asked for because of a map change; cleared when one starts. */
    private final AtomicBoolean passRequested = new AtomicBoolean();
    /** The requested pass covers every segment this node masters (nodes joined or returned). */
    private final AtomicBoolean fullPassRequested = new AtomicBoolean();
    /** Segments a requested pass covers when it is not a full one. */
    private final java.util.concurrent.ConcurrentSkipListSet<Integer> pending = new java.util.concurrent.ConcurrentSkipListSet<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PeerLinks links;

    @Activate
    public AntiEntropyComponent(@Reference SegmentStore store, @Reference ClusterView cluster, BundleContext context,
                                Map<String, Object> config) {
        this(store, cluster, config, context::getProperty);
    }

    AntiEntropyComponent(SegmentStore store, ClusterView cluster, Map<String, ?> config, UnaryOperator<String> framework) {
        this.cluster = cluster;
        AntiEntropySettings settings = AntiEntropySettings.resolve(config, framework);
        this.intervalMillis = settings.intervalMs;
        long grace = settings.tombstoneGraceMs;
        long timeout = settings.timeoutMs;
        VersionGuard guard = new VersionGuard(cluster.localNodeId(), System::currentTimeMillis, settings.clockMaxOffsetMs);
        this.engine = new AntiEntropy(store, cluster, () -> links, grace, System::currentTimeMillis, Duration.ofMillis(timeout),
                guard);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "earthwo-antientropy-" + cluster.localNodeId());
            t.setDaemon(true);
            return t;
        });
        if (intervalMillis > 0) {
            scheduler.scheduleWithFixedDelay(this::runAll, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
        this.mapListener = cluster.onMapChange(this::mapChanged);
        LOG.info("node {} anti-entropy ready (interval {} ms, tombstone grace {} ms)", cluster.localNodeId(), intervalMillis, grace);
    }

    @Deactivate
    void deactivate() {
        earthwo.replication.internal.Shutdown.listenerAndThread(mapListener, scheduler, "anti-entropy pass", LOG);
    }

    /**
     * A pass at once when the new map asks for one (see {@link #passReason}), instead of waiting
     * up to the interval: when nodes joined or returned, of every segment this node masters;
     * otherwise only of the segments this node masters that have new or syncing replicas (a lost
     * node's replicas were re-created after the grace, R was raised, a replica moved here).
     */
    private void mapChanged(SegmentMap map) {
        String reason;
        boolean full;
        synchronized (this) {
            SegmentMap before = lastMap;
            if (before != null && map.epoch() <= before.epoch()) {
                return; // delivered twice
            }
            lastMap = map;
            reason = passReason(before, map, cluster.localNodeId());
            full = before != null && !appeared(before, map).isEmpty();
            if (reason != null) {
                pending.addAll(gainedSegments(before, map, cluster.localNodeId()));
            }
            pending.addAll(engine.masteredWithSyncingReplicas());
        }
        if (reason != null || !pending.isEmpty()) {
            LOG.info("node {} anti-entropy: map epoch {}: {}, starting a pass of {}", cluster.localNodeId(), map.epoch(),
                    reason != null ? reason : "segments with syncing replicas",
                    full ? "every segment it masters" : pending.size() + " segments");
            if (full) {
                fullPassRequested.set(true);
            }
            passRequested.set(true);
            scheduleRequestedPass(0, 0, 0);
        }
    }

    private static Set<Integer> appeared(SegmentMap before, SegmentMap now) {
        Set<Integer> appeared = new HashSet<>(now.nodes().keySet());
        appeared.removeAll(before.nodes().keySet());
        return appeared;
    }

    /** Segments {@code self} masters in {@code now} whose replicas were not all replicas in {@code before}. */
    static Set<Integer> gainedSegments(SegmentMap before, SegmentMap now, int self) {
        Set<Integer> out = new java.util.TreeSet<>();
        for (int s = 0; s < now.segmentCount(); s++) {
            List<Integer> replicas = now.replicas(s);
            if (replicas.size() < 2 || now.master(s) != self) {
                continue;
            }
            if (before == null || s >= before.segmentCount() || !before.replicas(s).containsAll(replicas)) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Why a pass should start now after the map changed from {@code before} (null: this node's
     * first map) to {@code now}, or null if the periodic pass is soon enough.
     */
    static String passReason(SegmentMap before, SegmentMap now, int self) {
        if (before != null) {
            Set<Integer> appeared = appeared(before, now);
            if (!appeared.isEmpty()) {
                return "nodes " + appeared + " (re)appeared";
            }
        }
        int gained = gainedSegments(before, now, self).size();
        if (gained == 0) {
            return null;
        }
        return before == null ? "this node masters " + gained + " segments with other replicas"
                : gained + " segments this node masters have new replicas";
    }

    /**
     * Runs the requested pass on the scheduler; while peer links are not bound yet, retries each
     * second. Then follows up: segments with syncing replicas every {@value #FOLLOW_UP_DELAY_MS} ms
     * until they serve (they wait for this master's verdict), others up to {@link #FOLLOW_UPS}
     * times while not confirmed in sync.
     */
    private void scheduleRequestedPass(long delayMillis, int linkWaits, int followUps) {
        try {
            scheduler.schedule(() -> {
                if (!passRequested.get()) {
                    return; // another request's run took it
                }
                if (links == null) {
                    if (linkWaits < LINK_WAIT_ATTEMPTS) {
                        scheduleRequestedPass(1000, linkWaits + 1, followUps);
                    }
                    return;
                }
                passRequested.set(false);
                boolean wasFull = fullPassRequested.getAndSet(false);
                if (wasFull) {
                    pending.clear();
                    runAll();
                } else {
                    runPending();
                }
                Set<Integer> syncing = engine.masteredWithSyncingReplicas();
                boolean outOfSync = engine.outOfSyncSegments() > 0;
                if (!syncing.isEmpty()) {
                    pending.addAll(syncing);
                    if (passRequested.compareAndSet(false, true)) {
                        scheduleRequestedPass(FOLLOW_UP_DELAY_MS, linkWaits, followUps);
                    }
                } else if (followUps < FOLLOW_UPS && outOfSync && passRequested.compareAndSet(false, true)) {
                    fullPassRequested.set(wasFull);
                    pending.addAll(engine.outOfSyncMastered());
                    scheduleRequestedPass(FOLLOW_UP_DELAY_MS, linkWaits, followUps + 1);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // deactivating
        }
    }

    /**
     * Passes of the requested segments (the ones a map change or a follow-up asked for); a segment
     * with syncing replicas is passed with those only, which is what they wait for.
     */
    private void runPending() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            for (Integer s = pending.pollFirst(); s != null; s = pending.pollFirst()) {
                try {
                    SegmentMap map = cluster.currentMap();
                    engine.passSegment(s, s < map.segmentCount() && !map.syncing(s).isEmpty());
                } catch (RuntimeException e) {
                    LOG.warn("anti-entropy node {} segment {}: pass failed: {}", cluster.localNodeId(), s, e.toString());
                }
            }
        } finally {
            running.set(false);
        }
    }

    private void runAll() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            engine.runAll();
        } catch (RuntimeException e) {
            LOG.warn("anti-entropy pass failed", e);
        } finally {
            running.set(false);
        }
    }

    /**
     * Runs a pass of one segment now on the scheduler thread (for the coming shell command).
     * Completes with one line per peer; empty when this node is not the segment's master.
     */
    CompletionStage<List<String>> passNow(int segment) {
        return CompletableFuture.supplyAsync(
                () -> engine.passSegment(segment).stream().map(Object::toString).toList(), scheduler);
    }

    @Override
    public CompletionStage<byte[]> handle(byte[] payload) {
        return engine.handler.handle(payload);
    }

    @Override
    public Map<Integer, Set<Integer>> inSync() {
        return engine.inSync();
    }

    @Override
    public boolean confirmedInSync(int segment) {
        return engine.confirmedInSync(segment);
    }

    @Override
    public long lastPass(int segment) {
        return engine.lastPass(segment);
    }

    @Override
    public String name() {
        return "antientropy";
    }

    @Override
    public Map<String, Object> status() {
        AeStats s = engine.stats;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("passes", s.passes.sum());
        m.put("passes.failed", s.passesFailed.sum());
        m.put("keys.compared", s.keysCompared.sum());
        m.put("keys.listed", s.keysListed.sum());
        m.put("keys.repaired", s.repaired.sum());
        m.put("keys.pushed", s.pushed.sum());
        m.put("keys.overwritten", s.overwritten.sum());
        m.put("keys.removed", s.removed.sum());
        m.put("tombstones.purged", s.tombstonesPurged.sum());
        m.put("bytes.sent", s.bytesSent.sum());
        m.put("bytes.received", s.bytesReceived.sum());
        m.put("indexes.built", s.indexesBuilt.sum());
        m.put("indexes.reused", s.indexesReused.sum());
        m.put("tombstone.scans", s.tombstoneScans.sum());
        m.put("tombstone.scans.skipped", s.tombstoneScansSkipped.sum());
        m.put("last.pass", s.lastPassMillis.get());
        m.put("versions.refused", engine.incoming.versionsRefused());
        m.put("records.misrouted", engine.incoming.misrouted.sum());
        m.put("segments.out.of.sync", engine.outOfSyncSegments());
        m.put("policy", cluster.reconcilePolicy());
        m.put("interval.ms", intervalMillis);
        m.put("peer.links", links != null);
        return m;
    }
}

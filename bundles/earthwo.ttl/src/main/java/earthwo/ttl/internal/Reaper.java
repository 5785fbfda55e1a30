package earthwo.ttl.internal;

import earthwo.api.logging.RateLimitedLog;
import earthwo.api.Kv;
import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.ReplicaSync;
import earthwo.api.storage.SegmentStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The reaper of expired keys as a Declarative Services component (DESIGN §7): its thread
 * ({@link ReaperThread}) starts on activation and is stopped and joined on deactivation, so an
 * update of this bundle, or of the store, cluster or replication bundle it uses, leaves no
 * reaper behind. Provides the "ttl" {@link StatusSource} (service property
 * {@value #STATUS_PROPERTY}={@value #STATUS_NAME}, which {@link TtlCommands} looks for).
 *
 * <p>Mastership comes from {@link ClusterView#isMaster}, which the cluster bundle registers in
 * single-node mode too (the node runs an embedded ZooKeeper and masters every segment once the
 * controller has published a map for its session). The three references are static and
 * mandatory: without the store, the cluster view or Kv (which itself needs the first two) there
 * is nothing to reap with, and a replacement of any of them restarts the reaper on the new one.
 *
 * <p>{@link ReplicaSync} (the replication bundle's anti-entropy) is an optional, dynamic
 * reference: a segment with other replicas is reaped only once anti-entropy confirmed this node's
 * copy in sync with one of them ({@link ReapGate}); without the service such segments wait, and
 * the status says so ({@code segments.awaiting.sync}, {@code replica.sync.available}).
 *
 * <p>Settings: {@link TtlSettings} (PID {@value TtlSettings#PID}).
 */
@Component(service = StatusSource.class, configurationPid = TtlSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        property = Reaper.STATUS_PROPERTY + "=" + Reaper.STATUS_NAME)
public final class Reaper implements StatusSource {

    static final String STATUS_NAME = "ttl";
    static final String STATUS_PROPERTY = "earthwo.status.name";
    /** Bound on each wait of a deactivation: for the thread, then for the reaps in flight. */
    static final long STOP_TIMEOUT_MS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ReplicaSync replicaSync;

    private final int nodeId;
    private final ReapStats stats = new ReapStats();
    private final ReapGate gate;
    private final InFlight inFlight;
    private final ExpiryCensus census;
    private final ReaperThread thread;

    @Activate
    public Reaper(@Reference SegmentStore store, @Reference ClusterView cluster, @Reference Kv kv, BundleContext context,
                  Map<String, Object> config) {
        this(store, cluster, kv, null, TtlSettings.resolve(config, context::getProperty), System::currentTimeMillis);
    }

    /**
     * Starts the reaper thread. {@code clock} is the node's wall clock, epoch ms.
     * {@code replicaSyncOverride}: for tests, the ReplicaSync service to use (may return null);
     * null: the DS-injected reference.
     */
    Reaper(SegmentStore store, ClusterView cluster, Kv kv, Supplier<ReplicaSync> replicaSyncOverride,
           TtlSettings settings, LongSupplier clock) {
        this.nodeId = cluster.localNodeId();
        this.gate = new ReapGate(cluster, replicaSyncOverride != null ? replicaSyncOverride : () -> replicaSync);
        this.inFlight = new InFlight(settings.inFlight);
        this.census = new ExpiryCensus(store, cluster, clock);
        RateLimitedLog errorLog = new RateLimitedLog();
        ReapDispatcher dispatcher = new ReapDispatcher(kv, inFlight, stats, clock, nodeId, new RateLimitedLog());
        StopSignal stop = new StopSignal();
        ReapPass pass = new ReapPass(store, cluster, gate, dispatcher, stats, clock, settings.batch, stop::isSet,
                errorLog);
        this.thread = new ReaperThread(pass::run, stop, stats, settings.intervalMs, inFlight, nodeId, errorLog);
        thread.start();
        LOG.info("node {} reaper of expired keys started ({})", nodeId, settings);
    }

    @Deactivate
    void deactivate() {
        if (thread.stop(STOP_TIMEOUT_MS)) {
            LOG.info("node {} reaper of expired keys stopped ({} reaped)", nodeId, stats.reaped.sum());
        }
    }

    /** True while the reaper thread runs and has not been asked to stop. */
    boolean isRunning() {
        return thread.isRunning();
    }

    ReapStats stats() {
        return stats;
    }

    @Override
    public String name() {
        return STATUS_NAME;
    }

    @Override
    public Map<String, Object> status() {
        return TtlStatus.facts(stats, census::counts, gate::awaiting, thread.isRunning(), inFlight.size());
    }
}

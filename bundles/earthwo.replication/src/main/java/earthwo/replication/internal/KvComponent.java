package earthwo.replication.internal;

import earthwo.api.ExpireResult;
import earthwo.api.Kv;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.admin.FutureVersions;
import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.ReplicaSync;
import earthwo.api.storage.CommitBursts;
import earthwo.api.storage.HintStore;
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

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Registers the node's {@link Kv} service, the replication {@link PeerHandler} (peer message
 * types 1–3: APPLY, FORWARD, READ) and {@link FutureVersions}. It needs the local store, its hint store and the cluster view; when
 * one goes away (a bundle update) the service goes with it, and clients see UNAVAILABLE for the
 * moment it takes to come back. The node-to-node links ({@link PeerLinks}) are optional and
 * dynamic: without them remote replicas count as unreachable (they get hints) and writes of
 * segments this node does not hold are WRONG_SEGMENT instead of forwarded.
 *
 * <p>Settings: {@link CoordinatorSettings} (ConfigAdmin PID {@value CoordinatorSettings#PID}).
 */
@Component(service = {Kv.class, StatusSource.class, PeerHandler.class, FutureVersions.class},
        configurationPid = CoordinatorSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {PeerHandler.MESSAGE_TYPES + ":Integer=" + PeerMessages.APPLY,
                PeerHandler.MESSAGE_TYPES + ":Integer=" + PeerMessages.FORWARD,
                PeerHandler.MESSAGE_TYPES + ":Integer=" + PeerMessages.READ})
public final class KvComponent implements Kv, StatusSource, PeerHandler, FutureVersions {

    private static final Logger LOG = LoggerFactory.getLogger(KvComponent.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PeerLinks links;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CommitBursts commitBursts;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ReplicaSync replicaSync;

    private final HintStore hints;
    private final WriteCoordinator coordinator;
    private final ReplicationPeerHandler peerHandler;
    private final HintReplayer replayer;
    private final FutureVersionRepair futureVersions;

    @Activate
    public KvComponent(@Reference SegmentStore store, @Reference HintStore hints, @Reference ClusterView cluster,
                       BundleContext context, Map<String, Object> properties) {
        this(store, hints, cluster, CoordinatorSettings.resolve(properties, context::getProperty));
    }

    private KvComponent(SegmentStore store, HintStore hints, ClusterView cluster, CoordinatorSettings settings) {
        this.hints = hints;
        long offset = settings.clockOffsetMs;
        LongSupplier wallClock = System::currentTimeMillis;
        if (offset != 0) {
            wallClock = () -> System.currentTimeMillis() + offset;
            LOG.warn("node {}: wall clock offset by {} ms ({}, for testing clock skew)", cluster.localNodeId(), offset,
                    CoordinatorSettings.CLOCK_OFFSET);
        }
        Duration replicaTimeout = Duration.ofMillis(settings.replicaTimeoutMs);
        ReplicaTransport transport = new PeerLinksTransport(() -> links, () -> cluster.currentMap().epoch(), replicaTimeout);
        this.coordinator = new WriteCoordinator(store, cluster, transport, hints, () -> links,
                Duration.ofMillis(settings.forwardTimeoutMs), wallClock,
                settings.maxKeyBytes, settings.maxValueBytes, settings.defaultWriteConcern, settings.clockMaxOffsetMs);
        coordinator.trustMissesWhen(segment -> {
            ReplicaSync sync = replicaSync;
            return sync != null && sync.confirmedInSync(segment);
        });
        this.peerHandler = new ReplicationPeerHandler(coordinator);
        this.futureVersions = new FutureVersionRepair(store, cluster, coordinator);
        this.replayer = new HintReplayer(hints, cluster, transport, System::currentTimeMillis, settings.hintReplayBatch,
                settings.hintReplayIntervalMs, settings.hintReplayMaxBackoffMs, settings.replicaTimeoutMs);
        replayer.start();
        LOG.info("node {} write coordinator ready ({}, hints pending {})", cluster.localNodeId(), settings, hints.pending());
    }

    @Deactivate
    void deactivate() {
        replayer.close();
    }

    @Override
    public Optional<Record> get(byte[] key) {
        return coordinator.get(key);
    }

    @Override
    public boolean beginBurst() {
        CommitBursts bursts = commitBursts;
        return bursts != null && bursts.begin();
    }

    @Override
    public void endBurst() {
        CommitBursts bursts = commitBursts;
        if (bursts != null) {
            bursts.end();
        }
    }

    @Override
    public CompletionStage<Version> putAsync(byte[] key, byte[] value, WriteOptions options) {
        return coordinator.putAsync(key, value, options);
    }

    @Override
    public CompletionStage<Boolean> deleteAsync(byte[] key, WriteOptions options) {
        return coordinator.deleteAsync(key, options);
    }

    @Override
    public CompletionStage<ExpireResult> expireAsync(byte[] key, long expiresAt, WriteConcern concern) {
        return coordinator.expireAsync(key, expiresAt, concern);
    }

    @Override
    public CompletionStage<ExpireResult> expireInAsync(byte[] key, long ttlMillis, WriteConcern concern) {
        return coordinator.expireInAsync(key, ttlMillis, concern);
    }

    @Override
    public CompletionStage<Long> ttlAsync(byte[] key) {
        return coordinator.ttlAsync(key);
    }

    @Override
    public CompletionStage<Boolean> reapAsync(byte[] key, Version expiredVersion) {
        return coordinator.reapAsync(key, expiredVersion);
    }

    @Override
    public ScanPage scan(byte[] prefix, byte[] startAfter, int limit) {
        return coordinator.scan(prefix, startAfter, limit);
    }

    @Override
    public CompletionStage<Optional<Record>> getAsync(byte[] key) {
        return coordinator.getAsync(key);
    }

    @Override
    public CompletionStage<byte[]> handle(byte[] payload) {
        return peerHandler.handle(payload);
    }

    @Override
    public List<Found> find(int limit) {
        return futureVersions.find(limit);
    }

    @Override
    public long rewrite() {
        return futureVersions.rewrite();
    }

    @Override
    public String name() {
        return "kv";
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("puts", coordinator.puts.sum());
        m.put("deletes", coordinator.deletes.sum());
        m.put("expiry.changes", coordinator.expiryChanges.sum());
        m.put("reaped", coordinator.reaped.sum());
        m.put("gets", coordinator.gets.sum());
        m.put("scans", coordinator.scans.sum());
        m.put("restamps", coordinator.restamps.sum());
        m.put("clock.drift.ms", coordinator.clockDriftMillis());
        m.put("versions.refused", coordinator.versionGuard().refused());
        long ahead = coordinator.clockAheadMillis();
        m.put("clock.ahead.of.zookeeper.ms", ahead);
        m.put("coordinates.writes", ahead <= coordinator.versionGuard().maxOffsetMs());
        m.put("writes.handed.over", coordinator.writesHandedOver.sum());
        m.put("peer.links", links != null);
        m.put("forwarded", coordinator.forwarded.sum());
        m.put("reads.repaired", coordinator.readRepairs.sum());
        m.put("reads.asked.replicas", coordinator.readsAskedReplicas.sum());
        m.put("forwards.received", coordinator.forwardsReceived.sum());
        m.put("replica.applies", coordinator.appliesReceived.sum());
        m.put("replica.applies.stale", coordinator.appliesStale.sum());
        m.put("hints.written", coordinator.hintsWritten.sum());
        m.put("hints.write.failures", coordinator.hintFailures.sum());
        m.put("hints.replayed", replayer.replayed.sum());
        m.put("hints.replay.failures", replayer.failures.sum());
        long pending = 0;
        try {
            for (long n : hints.pending().values()) {
                pending += n;
            }
        } catch (RuntimeException e) {
            pending = -1;
        }
        m.put("hints.pending", pending);
        return m;
    }
}

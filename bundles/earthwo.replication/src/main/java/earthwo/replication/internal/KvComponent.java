package earthwo.replication.internal;

import earthwo.api.Kv;
import earthwo.api.NodeProperties;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteOptions;
import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.PeerLinks;
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
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Registers the node's {@link Kv} service and the replication {@link PeerHandler} (peer message
 * types 1–2: APPLY, FORWARD). It needs the local store, its hint store and the cluster view; when
 * one goes away (a bundle update) the service goes with it, and clients see UNAVAILABLE for the
 * moment it takes to come back. The node-to-node links ({@link PeerLinks}) are optional and
 * dynamic: without them remote replicas count as unreachable (they get hints) and writes of
 * segments this node does not hold are WRONG_SEGMENT instead of forwarded.
 *
 * <p>Settings: those of {@link CoordinatorConfig} (ConfigAdmin PID {@code earthwo.replication}),
 * and, resolved with {@link NodeProperties#get} (component configuration, then framework
 * property), {@value #CLOCK_OFFSET} (default 0): milliseconds added to the wall clock the write
 * coordinator and its hybrid logical clock read, for testing clock skew (e.g. {@code -30000}
 * runs this node's clock 30 s behind). A non-zero offset is logged as a warning at activation.
 */
@Component(service = {Kv.class, StatusSource.class, PeerHandler.class}, configurationPid = "earthwo.replication",
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {PeerHandler.MESSAGE_TYPES + ":Integer=" + PeerMessages.APPLY,
                PeerHandler.MESSAGE_TYPES + ":Integer=" + PeerMessages.FORWARD,
                PeerHandler.MESSAGE_TYPES + ":Integer=" + PeerMessages.READ})
@Designate(ocd = CoordinatorConfig.class)
public final class KvComponent implements Kv, StatusSource, PeerHandler {

    /** Fault injection: ms added to the coordinator's wall clock (negative = behind). */
    static final String CLOCK_OFFSET = "earthwo.clock.offset.ms";

    private static final Logger LOG = LoggerFactory.getLogger(KvComponent.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PeerLinks links;

    private final HintStore hints;
    private final WriteCoordinator coordinator;
    private final ReplicationPeerHandler peerHandler;
    private final HintReplayer replayer;

    @Activate
    public KvComponent(@Reference SegmentStore store, @Reference HintStore hints, @Reference ClusterView cluster,
                       CoordinatorConfig config, BundleContext context, Map<String, Object> properties) {
        this.hints = hints;
        long offset = clockOffset(properties, context);
        LongSupplier wallClock = System::currentTimeMillis;
        if (offset != 0) {
            wallClock = () -> System.currentTimeMillis() + offset;
            LOG.warn("node {}: wall clock offset by {} ms ({}, for testing clock skew)", cluster.localNodeId(), offset,
                    CLOCK_OFFSET);
        }
        Duration replicaTimeout = Duration.ofMillis(config.replica_timeout_ms());
        ReplicaTransport transport = new PeerLinksTransport(() -> links, () -> cluster.currentMap().epoch(), replicaTimeout);
        this.coordinator = new WriteCoordinator(store, cluster, transport, hints, () -> links,
                Duration.ofMillis(config.forward_timeout_ms()), wallClock,
                config.max_key_bytes(), config.max_value_bytes(), config.default_write_concern());
        this.peerHandler = new ReplicationPeerHandler(coordinator);
        this.replayer = new HintReplayer(hints, cluster, transport, System::currentTimeMillis, config.hint_replay_batch(),
                config.hint_replay_interval_ms(), config.hint_replay_max_backoff_ms(), config.replica_timeout_ms());
        replayer.start();
        LOG.info("node {} write coordinator ready (max key {} B, max value {} B, default W {}, replica timeout {} ms,"
                        + " hints pending {})", cluster.localNodeId(), config.max_key_bytes(), config.max_value_bytes(),
                config.default_write_concern(), config.replica_timeout_ms(), hints.pending());
    }

    private static long clockOffset(Map<String, Object> properties, BundleContext context) {
        String v = NodeProperties.get(CLOCK_OFFSET, properties, context::getProperty, "0");
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + CLOCK_OFFSET + " must be a whole number of ms, not '" + v + "'", e);
        }
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
    public CompletionStage<Version> putAsync(byte[] key, byte[] value, WriteOptions options) {
        return coordinator.putAsync(key, value, options);
    }

    @Override
    public CompletionStage<Boolean> deleteAsync(byte[] key, WriteOptions options) {
        return coordinator.deleteAsync(key, options);
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
    public String name() {
        return "kv";
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("puts", coordinator.puts.sum());
        m.put("deletes", coordinator.deletes.sum());
        m.put("gets", coordinator.gets.sum());
        m.put("scans", coordinator.scans.sum());
        m.put("restamps", coordinator.restamps.sum());
        m.put("clock.drift.ms", coordinator.clockDriftMillis());
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

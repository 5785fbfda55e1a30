package earthwo.replication.internal;

import earthwo.api.Kv;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteOptions;
import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterView;
import earthwo.api.storage.SegmentStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Registers the node's {@link Kv} service. It needs the local store and the cluster view; when
 * either goes away (a bundle update) the service goes with it, and clients see UNAVAILABLE for
 * the moment it takes to come back.
 */
@Component(service = {Kv.class, StatusSource.class}, configurationPid = "earthwo.replication",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CoordinatorConfig.class)
public final class KvComponent implements Kv, StatusSource {

    private static final Logger LOG = LoggerFactory.getLogger(KvComponent.class);

    private final WriteCoordinator coordinator;

    @Activate
    public KvComponent(@Reference SegmentStore store, @Reference ClusterView cluster, CoordinatorConfig config) {
        this.coordinator = new WriteCoordinator(store, cluster, new NoRemoteTransport(), System::currentTimeMillis,
                config.max_key_bytes(), config.max_value_bytes(), config.default_write_concern());
        LOG.info("node {} write coordinator ready (max key {} B, max value {} B, default W {})",
                cluster.localNodeId(), config.max_key_bytes(), config.max_value_bytes(), config.default_write_concern());
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
        return m;
    }
}

package earthwo.replication.internal;

import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterView;
import earthwo.api.storage.SegmentStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link DroppedReplicaCleaner} on its own thread: checks at every map change and
 * periodically. Settings: {@link ReplicaCleanerSettings} (PID {@value ReplicaCleanerSettings#PID}).
 */
@Component(service = StatusSource.class, configurationPid = ReplicaCleanerSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class DroppedReplicaComponent implements StatusSource {

    private static final Logger LOG = LoggerFactory.getLogger(DroppedReplicaComponent.class);

    private final DroppedReplicaCleaner cleaner;
    private final ScheduledExecutorService scheduler;
    private final AutoCloseable mapListener;
    private final long delayMillis;

    @Activate
    public DroppedReplicaComponent(@Reference SegmentStore store, @Reference ClusterView cluster, BundleContext context,
                                   Map<String, Object> config) {
        this.delayMillis = ReplicaCleanerSettings.resolve(config, context::getProperty).delayMs;
        this.cleaner = new DroppedReplicaCleaner(store, cluster::currentMap, cluster.localNodeId(), delayMillis,
                System::currentTimeMillis);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "earthwo-replica-cleaner-" + cluster.localNodeId());
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1000, Math.min(delayMillis, 60_000));
        scheduler.scheduleWithFixedDelay(this::runOnce, period, period, TimeUnit.MILLISECONDS);
        this.mapListener = cluster.onMapChange(m -> {
            cleaner.onMap(m);
            try {
                scheduler.schedule(this::runOnce, delayMillis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // deactivating
            }
        });
    }

    private void runOnce() {
        try {
            cleaner.runOnce();
        } catch (RuntimeException e) {
            LOG.warn("removing records of segments this node no longer holds failed; retrying later", e);
        }
    }

    @Deactivate
    void deactivate() {
        earthwo.replication.internal.Shutdown.listenerAndThread(mapListener, scheduler, "replica cleaner", LOG);
    }

    @Override
    public String name() {
        return "dropped";
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("segments.cleared", cleaner.segmentsCleared.sum());
        m.put("records.removed", cleaner.recordsRemoved.sum());
        m.put("delay.ms", delayMillis);
        return m;
    }
}

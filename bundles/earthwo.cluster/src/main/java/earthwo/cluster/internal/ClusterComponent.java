package earthwo.cluster.internal;

import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterDocuments;
import earthwo.api.cluster.ClusterView;

/**
 * The cluster bundle's component. It is a {@link StatusSource} ("cluster") from activation on,
 * and registers {@link ClusterView} only once a segment map is known, so a dependent never sees
 * a view without a map. A node that cannot reach ZooKeeper but kept a map from its last run has
 * one at once (see {@link ClusterNode}). Otherwise, while ZooKeeper is connected, activation
 * waits for the map up to {@code earthwo.cluster.start.timeout.ms} (15 s); without ZooKeeper it
 * does not wait at all: activation holds up the framework, and a node that is asked to stop must
 * not sit in it. If the map comes later, the view is registered when it comes.
 *
 * <p>{@link ClusterDocuments} is registered and unregistered together with the view, so a bundle
 * that uses both never sees one without the other.
 */
// ClusterView and ClusterDocuments are registered by hand once the first map is known; this tells
// the resolver that the bundle provides them, so the features resolve can check that the bundles
// using them are satisfied.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=earthwo.api.cluster.ClusterView",
        uses = ClusterView.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=earthwo.api.cluster.ClusterDocuments",
        uses = ClusterDocuments.class)
@Component(service = StatusSource.class, immediate = true, configurationPid = "earthwo.cluster",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public class ClusterComponent implements StatusSource {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterComponent.class);

    private final Object lock = new Object();
    private ClusterNode node;
    private ServiceRegistration<ClusterView> registration;
    private ServiceRegistration<ClusterDocuments> documentsRegistration;
    private AutoCloseable firstMapListener;
    private boolean active;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) throws Exception {
        ClusterSettings settings = ClusterSettings.from(config, context::getProperty);
        ClusterNode started = new ClusterNode(settings).start();
        synchronized (lock) {
            node = started;
            active = true;
        }
        try {
            if (started.currentMap() == null && started.isConnected()
                    && !started.awaitFirstMap(settings.startTimeoutMs(), TimeUnit.MILLISECONDS)) {
                LOG.warn("node {} cluster {}: no segment map after {} ms; ClusterView is registered when one arrives",
                        started.localNodeId(), started.clusterName(), settings.startTimeoutMs());
            }
            AutoCloseable handle = started.onMapChange(map -> register(context, started));
            synchronized (lock) {
                firstMapListener = handle;
            }
        } catch (Exception | Error e) {
            deactivate();
            throw e;
        }
    }

    private void register(BundleContext context, ClusterNode view) {
        synchronized (lock) {
            if (!active || registration != null) {
                return;
            }
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("earthwo.cluster", view.clusterName());
            props.put("earthwo.node.id", view.localNodeId());
            registration = context.registerService(ClusterView.class, view, props);
            documentsRegistration = context.registerService(ClusterDocuments.class, view.documents(), props);
            LOG.info("node {} cluster {}: ClusterView and ClusterDocuments registered", view.localNodeId(),
                    view.clusterName());
        }
    }

    @Deactivate
    void deactivate() {
        ClusterNode toClose;
        synchronized (lock) {
            active = false;
            unregister(documentsRegistration);
            documentsRegistration = null;
            unregister(registration);
            registration = null;
            if (firstMapListener != null) {
                try {
                    firstMapListener.close();
                } catch (Exception e) {
                    LOG.debug("removing the map listener", e);
                }
                firstMapListener = null;
            }
            toClose = node;
            node = null;
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    private static void unregister(ServiceRegistration<?> r) {
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
    }

    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public Map<String, Object> status() {
        ClusterNode n;
        synchronized (lock) {
            n = node;
        }
        return n == null ? Map.of("state", "stopped") : n.status();
    }
}

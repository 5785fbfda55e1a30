package earthwo.server.internal;

import earthwo.api.Kv;
import earthwo.api.admin.AdminCommands;
import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.channels.Channels;
import earthwo.api.indexes.Indexes;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The server as a Declarative Services component (PID {@value ServerSettings#PID}, optional
 * configuration; keys in {@link ServerSettings}). Every service it routes to is a dynamic,
 * optional reference, so a bundle update of storage, replication, cluster, indexes, channels or shell never
 * restarts the listener: requests meanwhile get UNAVAILABLE. A configuration change restarts it.
 * It registers the server's counters as the "server" {@link StatusSource}.
 *
 * <p>{@link PeerHandler} services (whiteboard, dynamic, any number) receive the PEER frames whose
 * first payload byte is listed in their {@value PeerHandler#MESSAGE_TYPES} property.
 */
@Component(service = {}, immediate = true, configurationPid = ServerSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class ServerComponent {

    volatile Kv kv;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ClusterView cluster;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile AdminCommands admin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Indexes indexes;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Channels channels;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<StatusSource> statusSources;

    private final PeerRouter peerRouter = new PeerRouter();
    private volatile NodeServer server;
    private ServiceRegistration<StatusSource> statusRegistration;

    @Reference(service = PeerHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removePeerHandler", updated = "updatedPeerHandler")
    void addPeerHandler(PeerHandler handler, Map<String, Object> properties) {
        peerRouter.add(handler, properties);
    }

    void updatedPeerHandler(PeerHandler handler, Map<String, Object> properties) {
        peerRouter.update(handler, properties);
    }

    void removePeerHandler(PeerHandler handler) {
        peerRouter.remove(handler);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindKv")
    void bindKv(Kv k) {
        kv = k;
        announceIfServing();
    }

    void unbindKv(Kv k) {
        if (kv == k) {
            kv = null;
        }
    }

    /** Writes the endpoint file once the server listens and the Kv service is there. */
    private void announceIfServing() {
        NodeServer s = server;
        if (s != null && kv != null) {
            try {
                s.announceEndpoint();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the endpoint file: " + e.getMessage(), e);
            }
        }
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        activate(config, context::getProperty);
        statusRegistration = context.registerService(StatusSource.class, server.stats(), new Hashtable<>());
    }

    /** Starts the server; {@code framework} looks up framework properties. */
    void activate(Map<String, ?> config, UnaryOperator<String> framework) {
        try {
            server = NodeServer.start(ServerSettings.resolve(config, framework), new Services());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        announceIfServing();
    }

    @Deactivate
    void deactivate() {
        ServiceRegistration<StatusSource> reg = statusRegistration;
        statusRegistration = null;
        if (reg != null) {
            try {
                reg.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregistered it already (bundle stopping)
            }
        }
        NodeServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    NodeServer server() {
        return server;
    }

    /** Reads the references at each call, so a request sees the services of that moment. */
    private final class Services implements NodeServices {
        @Override
        public Kv kv() {
            return kv;
        }

        @Override
        public ClusterView cluster() {
            return cluster;
        }

        @Override
        public AdminCommands admin() {
            return admin;
        }

        @Override
        public Indexes indexes() {
            return indexes;
        }

        @Override
        public Channels channels() {
            return channels;
        }

        @Override
        public PeerHandler peerHandler(int messageType) {
            return peerRouter.handler(messageType);
        }

        @Override
        public boolean peerInline(int messageType) {
            return peerRouter.inline(messageType);
        }

        @Override
        public Collection<StatusSource> statusSources() {
            List<StatusSource> s = statusSources;
            return s == null ? List.of() : s;
        }
    }
}

package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerLinks;
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

import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * The node-to-node links as a Declarative Services component: provides {@link PeerLinks} (see
 * {@link PeerLinkPool} for pooling, timeouts and failure handling) and the "links"
 * {@link StatusSource}. Settings come from PID {@value ServerSettings#PID} (keys in
 * {@link LinkSettings}; the cluster secret is presented to peers for the peer role).
 *
 * <p>The cluster view is a dynamic, optional reference read at every call, so an update of the
 * cluster bundle does not take PeerLinks away from its users: calls meanwhile fail with
 * UNAVAILABLE.
 *
 * <p>Fault injection: the component registers {@link LinkCommands} ({@code links:block},
 * {@code links:unblock}, {@code links:blocked}) as a plain service for Gogo; calls to a blocked
 * node fail UNAVAILABLE at once (see {@link PeerBlocks}).
 */
@Component(service = {PeerLinks.class, StatusSource.class}, configurationPid = ServerSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class PeerLinksComponent implements PeerLinks, StatusSource {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ClusterView cluster;

    private volatile PeerLinkPool pool;
    /** Fault injection (links:block): kept for the life of the component. */
    private final PeerBlocks blocks = new PeerBlocks();
    private ServiceRegistration<LinkCommands> commands;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        activate(config, context::getProperty);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.command.scope", LinkCommands.SCOPE);
        props.put("osgi.command.function", LinkCommands.FUNCTIONS);
        commands = context.registerService(LinkCommands.class, new LinkCommands(blocks), props);
    }

    void activate(Map<String, ?> config, UnaryOperator<String> framework) {
        pool = new PeerLinkPool(LinkSettings.resolve(config, framework), () -> cluster, blocks);
    }

    @Deactivate
    void deactivate() {
        if (commands != null) {
            try {
                commands.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            commands = null;
        }
        PeerLinkPool p = pool;
        pool = null;
        if (p != null) {
            p.close();
        }
    }

    @Override
    public CompletionStage<byte[]> call(int nodeId, byte[] payload, Duration timeout) {
        PeerLinkPool p = pool;
        if (p == null) {
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE,
                    "the peer links of this node are closed (restarting?)"));
        }
        return p.call(nodeId, payload, timeout);
    }

    @Override
    public String name() {
        return PeerLinkPool.STATUS_NAME;
    }

    @Override
    public Map<String, Object> status() {
        PeerLinkPool p = pool;
        return p == null ? Map.of("peers", 0) : p.status();
    }
}

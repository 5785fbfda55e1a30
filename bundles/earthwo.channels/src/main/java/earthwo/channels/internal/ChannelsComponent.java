package earthwo.channels.internal;

import earthwo.api.admin.StatusSource;
import earthwo.api.channels.ChannelInfo;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.Channels;
import earthwo.api.channels.PublishResult;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.PeerLinks;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Channels as a Declarative Services component (DESIGN §7): the {@link Channels} service, the
 * "channels" {@link StatusSource}, and the {@link PeerHandler} of peer messages
 * {@value PeerMessages#CONTROL} (interest, replay questions) and {@value PeerMessages#MESSAGES}
 * (forwarded messages). Everything is in {@link ChannelHub}, which a unit test builds without
 * OSGi; this shell reads the settings, binds the links and stops the hub in {@link #deactivate()}.
 *
 * <p>The cluster view is a static, mandatory reference: its replacement restarts the component,
 * which ends every subscription (UNAVAILABLE; subscribers resume with their position) and starts
 * as a new publisher. Node-to-node links are optional: a single node has none.
 *
 * <p>Not marked {@link PeerHandler#INLINE}: the property would cover both message types of this
 * service, and a replay question ({@value PeerMessages#CONTROL}) walks a channel's window. A
 * forwarded batch ({@value PeerMessages#MESSAGES}) may also evict across every window when the
 * node's bound is passed, and waits for window locks that a replay holds while it reads.
 *
 * <p>Settings: {@link ChannelsSettings} (PID {@value ChannelsSettings#PID}).
 */
@Component(service = {Channels.class, StatusSource.class, PeerHandler.class},
        configurationPid = ChannelsSettings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        property = {ChannelsComponent.STATUS_PROPERTY + "=" + ChannelsComponent.STATUS_NAME,
                PeerHandler.MESSAGE_TYPES + ":Integer=" + PeerMessages.CONTROL,
                PeerHandler.MESSAGE_TYPES + ":Integer=" + PeerMessages.MESSAGES})
public final class ChannelsComponent implements Channels, StatusSource, PeerHandler {

    static final String STATUS_NAME = "channels";
    static final String STATUS_PROPERTY = "earthwo.status.name";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PeerLinks links;

    private final ChannelHub hub;

    @Activate
    public ChannelsComponent(@Reference ClusterView cluster, BundleContext context, Map<String, Object> config) {
        this(cluster, ChannelsSettings.resolve(config, context::getProperty), System::currentTimeMillis);
    }

    /** Starts the hub's threads; {@code clock}: wall clock, epoch ms. */
    ChannelsComponent(ClusterView cluster, ChannelsSettings settings, LongSupplier clock) {
        this.hub = new ChannelHub(cluster, () -> links, settings, clock, new SecureRandom());
    }

    @Deactivate
    void deactivate() {
        hub.close();
    }

    /** For tests: node-to-node links as DS would bind them. */
    void setLinks(PeerLinks l) {
        this.links = l;
    }

    /** For tests: the hub. */
    ChannelHub hub() {
        return hub;
    }

    @Override
    public CompletionStage<PublishResult> publish(String channel, byte[] message) {
        return hub.publish(channel, message);
    }

    @Override
    public Subscription subscribe(SubscribeRequest request, ChannelListener listener) {
        return hub.subscribe(request, listener);
    }

    @Override
    public List<ChannelInfo> list() {
        return hub.list();
    }

    @Override
    public CompletionStage<byte[]> handle(byte[] payload) {
        return hub.handle(payload);
    }

    @Override
    public String name() {
        return STATUS_NAME;
    }

    @Override
    public Map<String, Object> status() {
        return hub.status();
    }
}

package earthwo.hooks.webhook.internal;

import earthwo.api.cluster.ClusterView;
import earthwo.api.hooks.KeyHook;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
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

import java.util.Hashtable;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One webhook per factory configuration of PID {@value WebhookSettings#PID} (a file
 * {@code deploy/earthwo.hooks.webhook-NAME.cfg}, or {@code hook:webhook}). A thin shell: it
 * validates the configuration ({@link WebhookSettings}), starts a {@link WebhookClient} and
 * registers a {@link Webhook} as a {@link KeyHook}; deactivation unregisters it and stops the
 * client's threads. A change of the configuration deactivates and activates again.
 *
 * <p>The KeyHook is registered by hand rather than as this component's service: Declarative
 * Services would copy every configuration property into the service properties, the
 * {@code secret} among them. A configuration that is refused leaves one logged error and no
 * service.
 *
 * <p>The node id in the bodies comes from the cluster view, an optional dynamic reference: a
 * webhook keeps delivering while the cluster bundle is updated, and omits the id meanwhile.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=earthwo.api.hooks.KeyHook")
@Component(service = {}, configurationPid = WebhookSettings.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true)
public final class WebhookComponent {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookComponent.class);
    private static final WebhookNames NAMES = new WebhookNames();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterView cluster;

    private String pid;
    private WebhookSettings settings;
    private WebhookClient client;
    private ServiceRegistration<KeyHook> registration;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        pid = String.valueOf(config.get(Constants.SERVICE_PID));
        WebhookSettings s;
        try {
            s = WebhookSettings.resolve(config);
        } catch (IllegalArgumentException e) {
            LOG.error("webhook configuration {} refused, no webhook started: {}", pid, e.getMessage());
            return;
        }
        String owner = NAMES.claim(s.name, pid);
        if (owner != null) {
            LOG.error("webhook configuration {} refused, no webhook started: the name {} is already used by configuration {}",
                    pid, s.name, owner);
            return;
        }
        settings = s;
        client = new WebhookClient(s.name, s.url, s.timeoutMs);
        registration = context.registerService(KeyHook.class, new Webhook(s, this::nodeId, client),
                new Hashtable<>(s.serviceProperties()));
        LOG.info("started {}", s);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
        if (client != null) {
            client.close();
            client = null;
        }
        if (settings != null) {
            NAMES.release(settings.name, pid);
            LOG.info("stopped webhook {}", settings.name);
            settings = null;
        }
    }

    private OptionalInt nodeId() {
        ClusterView c = cluster;
        if (c == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(c.localNodeId());
        } catch (RuntimeException e) { // a cluster view going away
            return OptionalInt.empty();
        }
    }
}

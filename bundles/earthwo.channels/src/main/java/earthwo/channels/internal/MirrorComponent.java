package earthwo.channels.internal;

import earthwo.api.channels.Channels;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Hashtable;
import java.util.Map;

/**
 * One channel mirror per factory configuration of PID {@value MirrorSettings#PID} (a file
 * {@code deploy/earthwo.channels.mirror-NAME.cfg}, or {@code channel:mirror}): registers a
 * {@link ChannelMirror} as a {@link KeyHook} named {@value MirrorSettings#HOOK_NAME_PREFIX}NAME,
 * with the configuration's filters; deactivation unregisters it. A change of the configuration
 * deactivates and activates again; the hooks runtime keeps the hook's position under its name, so
 * the mirror goes on where it was.
 *
 * <p>The hook is registered by hand because its service properties are derived from the
 * configuration, not copied from it. A configuration that is refused leaves one logged error and
 * no hook. The channels service is a static reference: while channels restart, the mirror's hook
 * is away, and events wait in the outbox.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=earthwo.api.hooks.KeyHook")
@Component(service = {}, configurationPid = MirrorSettings.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true)
public final class MirrorComponent {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorComponent.class);

    private final MirrorSettings settings;
    private final ServiceRegistration<KeyHook> registration;

    @Activate
    public MirrorComponent(@Reference Channels channels, BundleContext context, Map<String, Object> config) {
        MirrorSettings s = null;
        try {
            s = MirrorSettings.resolve(config);
        } catch (IllegalArgumentException e) {
            LOG.error("channel mirror configuration {} refused, no mirror started: {}",
                    config.get(Constants.SERVICE_PID), e.getMessage());
        }
        this.settings = s;
        this.registration = s == null ? null : context.registerService(KeyHook.class, new ChannelMirror(s, channels),
                new Hashtable<>(s.serviceProperties()));
        if (s != null) {
            LOG.info("started {} (hook {})", s, s.hookName());
        }
    }

    @Deactivate
    void deactivate() {
        if (registration == null) {
            return;
        }
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
        }
        LOG.info("stopped channel mirror {}", settings.name);
    }
}

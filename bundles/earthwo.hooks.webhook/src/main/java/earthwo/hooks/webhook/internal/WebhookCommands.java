package earthwo.hooks.webhook.internal;

import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.io.IOException;

/**
 * Gogo commands (also {@code bin/earthwo exec}): {@code hook:webhook NAME URL [--prefix P]...
 * [--events E,E] [--secret-file F]} creates or updates a webhook's factory configuration,
 * {@code hook:webhook --delete NAME} removes it, {@code hook:webhooks} lists them. No output
 * contains a secret: a webhook shows {@code secret=set} or {@code secret=none}.
 *
 * <p>A plain service with {@code osgi.command.scope}, as ttl:status: Gogo calls the public
 * methods, so this bundle needs no Gogo import. The function names are the webhook's own
 * ({@code webhook}, {@code webhooks}), apart from those of the hook dispatcher in the same scope.
 * ConfigurationAdmin is an optional reference, so the commands exist and say so while it is away.
 */
@Component(service = WebhookCommands.class, property = {
        "osgi.command.scope=hook",
        "osgi.command.function=webhook",
        "osgi.command.function=webhooks"})
public final class WebhookCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configAdmin;

    /** For Declarative Services. */
    public WebhookCommands() {
    }

    /** For tests: a fixed ConfigurationAdmin (null: unavailable). */
    WebhookCommands(ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    /** Creates, updates (NAME URL [options]) or deletes (--delete NAME) a webhook. */
    public String webhook(String... args) throws IOException {
        WebhookCommandLine line = WebhookCommandLine.parse(args);
        WebhookConfigs configs = configs();
        return line.delete() ? configs.delete(line.name()) : configs.put(line);
    }

    /** The configured webhooks, one line each. */
    public String webhooks() throws IOException {
        return configs().list();
    }

    private WebhookConfigs configs() {
        ConfigurationAdmin admin = configAdmin;
        if (admin == null) {
            throw new IllegalStateException("ConfigurationAdmin is not available: webhooks cannot be read or changed now");
        }
        return new WebhookConfigs(admin);
    }
}

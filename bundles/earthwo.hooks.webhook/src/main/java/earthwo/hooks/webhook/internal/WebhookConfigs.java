package earthwo.hooks.webhook.internal;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

/**
 * The webhooks' factory configurations in ConfigurationAdmin, found by their {@code name}:
 * created or updated, deleted, listed. Whatever is written is validated first with
 * {@link WebhookSettings}, so a command never leaves a configuration the webhook would refuse.
 * A configuration that came from a {@code .cfg} file in deploy/ keeps its file: FileInstall
 * writes an update back to it and removes it with the configuration.
 */
final class WebhookConfigs {

    /** Bound to no bundle: the webhook bundle may be reinstalled from another location (bundle/ or deploy/). */
    private static final String ANY_LOCATION = "?";

    private final ConfigurationAdmin admin;

    WebhookConfigs(ConfigurationAdmin admin) {
        this.admin = admin;
    }

    /** Creates or updates the webhook named on the command line; returns what it did and the webhook's line. */
    String put(WebhookCommandLine line) throws IOException {
        Configuration existing = find(line.name());
        Hashtable<String, Object> props = existing == null ? new Hashtable<>() : copy(existing.getProperties());
        props.put(WebhookSettings.NAME, line.name());
        props.put(WebhookSettings.URL, line.url());
        // url, prefixes and events are what the command line says: an option left out removes its filter.
        setOrRemove(props, WebhookSettings.PREFIXES, String.join(",", line.prefixes()));
        setOrRemove(props, WebhookSettings.EVENTS, line.events() == null ? "" : line.events());
        // The secret is kept unless a new file is given, so changing the URL never drops the signature.
        if (line.secretFile() != null) {
            props.remove(WebhookSettings.SECRET);
            props.put(WebhookSettings.SECRET_FILE, line.secretFile());
        }
        WebhookSettings settings;
        try {
            settings = WebhookSettings.resolve(props);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhook " + line.name() + " not saved: " + e.getMessage());
        }
        Configuration c = existing != null ? existing
                : admin.getFactoryConfiguration(WebhookSettings.PID, line.name(), ANY_LOCATION);
        c.update(props);
        return (existing == null ? "created " : "updated ") + describe(settings.name, props) + "\n";
    }

    /** Deletes the webhook's configuration (and so the webhook). */
    String delete(String name) throws IOException {
        checkName(name);
        Configuration c = find(name);
        if (c == null) {
            throw new IllegalArgumentException("no webhook named " + name);
        }
        c.delete();
        return "deleted webhook " + name + "\n";
    }

    /** One line per configured webhook, by name; a configuration the webhook refuses says why. */
    String list() throws IOException {
        List<Dictionary<String, Object>> all = new ArrayList<>();
        for (Configuration c : configurations("(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + WebhookSettings.PID + ")")) {
            all.add(c.getProperties());
        }
        if (all.isEmpty()) {
            return "no webhooks configured\n";
        }
        all.sort(Comparator.comparing(p -> String.valueOf(p.get(WebhookSettings.NAME))));
        StringBuilder out = new StringBuilder();
        for (Dictionary<String, Object> p : all) {
            Hashtable<String, Object> props = copy(p);
            out.append(describe(String.valueOf(props.get(WebhookSettings.NAME)), props));
            try {
                WebhookSettings.resolve(props);
            } catch (IllegalArgumentException e) {
                out.append("  REFUSED: ").append(e.getMessage());
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** A webhook's line: name, url, filters, batch and whether it signs; never the secret. */
    static String describe(String name, Map<String, Object> props) {
        List<String> prefixes = WebhookSettings.list(props.get(WebhookSettings.PREFIXES));
        List<String> events = WebhookSettings.list(props.get(WebhookSettings.EVENTS));
        Object batch = props.get(WebhookSettings.BATCH);
        boolean signed = present(props.get(WebhookSettings.SECRET)) || present(props.get(WebhookSettings.SECRET_FILE));
        return "webhook " + name
                + "  url=" + props.get(WebhookSettings.URL)
                + "  prefixes=" + (prefixes.isEmpty() ? "(all)" : String.join(",", prefixes))
                + "  events=" + (events.isEmpty() ? "(all)" : String.join(",", events))
                + "  batch=" + (present(batch) ? batch : WebhookSettings.BATCH_DEFAULT)
                + "  secret=" + (signed ? "set" : "none");
    }

    private Configuration find(String name) throws IOException {
        checkName(name);
        // The name pattern has no LDAP filter metacharacters, so it needs no escaping here.
        List<Configuration> found = configurations("(&(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + WebhookSettings.PID
                + ")(" + WebhookSettings.NAME + "=" + name + "))");
        return found.isEmpty() ? null : found.get(0);
    }

    private List<Configuration> configurations(String filter) throws IOException {
        try {
            Configuration[] found = admin.listConfigurations(filter);
            List<Configuration> list = new ArrayList<>();
            if (found != null) {
                Collections.addAll(list, found);
            }
            return list;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("bad filter " + filter, e);
        }
    }

    private static void checkName(String name) {
        if (name == null || !WebhookSettings.NAME_PATTERN.matcher(name).matches()) {
            throw new IllegalArgumentException("a webhook name is " + WebhookSettings.NAME_RULE + ", not '" + name + "'");
        }
    }

    private static void setOrRemove(Hashtable<String, Object> props, String key, String value) {
        if (value.isEmpty()) {
            props.remove(key);
        } else {
            props.put(key, value);
        }
    }

    private static boolean present(Object v) {
        return v != null && !String.valueOf(v).isEmpty();
    }

    private static Hashtable<String, Object> copy(Dictionary<String, Object> d) {
        Hashtable<String, Object> h = new Hashtable<>();
        if (d != null) {
            for (String k : Collections.list(d.keys())) {
                h.put(k, d.get(k));
            }
        }
        return h;
    }
}

package earthwo.channels.internal;

import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.io.IOException;
import java.util.Collections;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The channel mirrors' factory configurations in ConfigurationAdmin, found by their {@code name}:
 * written, deleted, listed. What is written is first resolved with {@link MirrorSettings}, so a
 * command never leaves a configuration the mirror would refuse, and a refused command changes
 * nothing. A configuration that came from a file in deploy/ keeps its other properties (among
 * them FileInstall's note of the file, so the change is written back there).
 */
final class MirrorConfigs {

    /** Bound to no bundle: the channels bundle may be reinstalled from another location. */
    private static final String ANY_LOCATION = "?";

    private final ConfigurationAdmin admin;

    MirrorConfigs(ConfigurationAdmin admin) {
        this.admin = admin;
    }

    /** Creates or replaces the mirror the command line names; says which, with the mirror's line. */
    String put(MirrorCommandLine line) throws IOException {
        MirrorSettings.checkName(line.name());
        Configuration existing = find(line.name());
        Hashtable<String, Object> props = existing == null ? new Hashtable<>() : copy(existing.getProperties());
        props.remove(Constants.SERVICE_PID);
        props.remove(ConfigurationAdmin.SERVICE_FACTORYPID);
        props.put(MirrorSettings.NAME, line.name());
        props.put(MirrorSettings.CHANNEL, line.channel());
        // What the command line leaves out goes back to its default: the line says the whole mirror.
        setOrRemove(props, MirrorSettings.PREFIXES, line.prefixes().isEmpty() ? null : line.prefixes().toArray(new String[0]));
        setOrRemove(props, MirrorSettings.EVENTS, line.events() == null ? null
                : MirrorSettings.list(line.events()).stream().map(e -> e.toUpperCase(Locale.ROOT)).toArray(String[]::new));
        setOrRemove(props, MirrorSettings.VALUES, line.values() ? Boolean.TRUE : null);
        setOrRemove(props, MirrorSettings.VALUES_MAX_BYTES, line.valuesMaxBytes());
        MirrorSettings settings;
        try {
            settings = MirrorSettings.resolve(props);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mirror " + line.name() + " not saved: " + e.getMessage());
        }
        Configuration c = existing != null ? existing
                : admin.getFactoryConfiguration(MirrorSettings.PID, line.name(), ANY_LOCATION);
        c.update(props);
        return (existing == null ? "created " : "updated ") + settings.describe() + "\n";
    }

    /** Deletes the mirror's configuration, and so its hook. */
    String delete(String name) throws IOException {
        MirrorSettings.checkName(name);
        Configuration c = find(name);
        if (c == null) {
            throw new IllegalArgumentException("no channel mirror named " + name);
        }
        c.delete();
        return "deleted mirror " + name + "\n";
    }

    /** One line per configured mirror, by name; a configuration the mirror refuses says why. */
    String list() throws IOException {
        List<Map<String, Object>> all = configurations(factoryFilter()).stream()
                .map(c -> (Map<String, Object>) copy(c.getProperties()))
                .sorted(Comparator.comparing(p -> String.valueOf(p.get(MirrorSettings.NAME))))
                .toList();
        if (all.isEmpty()) {
            return "no channel mirrors configured\n";
        }
        Map<String, Long> uses = new HashMap<>();
        all.forEach(p -> uses.merge(String.valueOf(p.get(MirrorSettings.NAME)), 1L, Long::sum));
        StringBuilder out = new StringBuilder();
        for (Map<String, Object> p : all) {
            try {
                out.append(MirrorSettings.resolve(p).describe());
            } catch (IllegalArgumentException e) {
                out.append("mirror ").append(p.get(MirrorSettings.NAME)).append(" (").append(p.get(Constants.SERVICE_PID))
                        .append(")  REFUSED: ").append(e.getMessage());
            }
            if (uses.get(String.valueOf(p.get(MirrorSettings.NAME))) > 1) {
                out.append("  (").append(p.get(Constants.SERVICE_PID)).append(" shares this name with another"
                        + " configuration: the node runs only one hook of a name)");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private Configuration find(String name) throws IOException {
        // The name pattern has no LDAP filter metacharacters, so it needs no escaping here.
        List<Configuration> found = configurations("(&" + factoryFilter() + "(" + MirrorSettings.NAME + "=" + name + "))");
        return found.isEmpty() ? null : found.get(0);
    }

    private static String factoryFilter() {
        return "(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + MirrorSettings.PID + ")";
    }

    private List<Configuration> configurations(String filter) throws IOException {
        try {
            Configuration[] found = admin.listConfigurations(filter);
            return found == null ? List.of() : Stream.of(found).toList();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("bad filter " + filter, e);
        }
    }

    private static void setOrRemove(Hashtable<String, Object> props, String key, Object value) {
        if (value == null) {
            props.remove(key);
        } else {
            props.put(key, value);
        }
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

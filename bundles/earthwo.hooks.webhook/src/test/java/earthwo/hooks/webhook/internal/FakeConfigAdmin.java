package earthwo.hooks.webhook.internal;

import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An in-memory ConfigurationAdmin: factory configurations with their properties, listed by filter. */
final class FakeConfigAdmin {

    /** Stored properties by PID (without service.pid / service.factoryPid). */
    final Map<String, Hashtable<String, Object>> stored = new TreeMap<>();
    private final Map<String, String> factoryOf = new TreeMap<>();
    /** Where each configuration was bound ("?" for any). */
    final Map<String, String> locations = new TreeMap<>();
    private int next;

    final ConfigurationAdmin admin = (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> switch (method.getName()) {
                case "listConfigurations" -> list((String) args[0]);
                case "getFactoryConfiguration" -> factory((String) args[0], (String) args[1],
                        args.length > 2 ? (String) args[2] : null);
                case "createFactoryConfiguration" -> factory((String) args[0], "generated" + (++next),
                        args.length > 1 ? (String) args[1] : null);
                case "toString" -> "FakeConfigAdmin";
                default -> throw new UnsupportedOperationException(method.getName());
            });

    /** Adds a configuration as FileInstall would from a .cfg file. */
    void add(String pid, String factoryPid, Map<String, Object> props) {
        stored.put(pid, new Hashtable<>(props));
        factoryOf.put(pid, factoryPid);
    }

    private Configuration factory(String factoryPid, String name, String location) {
        String pid = factoryPid + "~" + name;
        factoryOf.put(pid, factoryPid);
        locations.put(pid, location);
        return configuration(pid);
    }

    private Configuration[] list(String filter) throws Exception {
        List<Configuration> found = new ArrayList<>();
        for (String pid : stored.keySet()) {
            if (filter == null || FrameworkUtil.createFilter(filter).match(withPids(pid))) {
                found.add(configuration(pid));
            }
        }
        return found.isEmpty() ? null : found.toArray(new Configuration[0]);
    }

    private Hashtable<String, Object> withPids(String pid) {
        Hashtable<String, Object> p = new Hashtable<>(stored.get(pid));
        p.put(Constants.SERVICE_PID, pid);
        p.put(ConfigurationAdmin.SERVICE_FACTORYPID, factoryOf.get(pid));
        return p;
    }

    private Configuration configuration(String pid) {
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getPid" -> pid;
                    case "getFactoryPid" -> factoryOf.get(pid);
                    case "getProperties" -> stored.containsKey(pid) ? withPids(pid) : null;
                    case "update" -> {
                        update(pid, args == null ? new Hashtable<>() : (Dictionary<?, ?>) args[0]);
                        yield null;
                    }
                    case "delete" -> {
                        stored.remove(pid);
                        yield null;
                    }
                    case "toString" -> "Configuration[" + pid + "]";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private void update(String pid, Dictionary<?, ?> props) {
        Hashtable<String, Object> p = new Hashtable<>();
        for (Object k : Collections.list(props.keys())) {
            if (!k.equals(Constants.SERVICE_PID) && !k.equals(ConfigurationAdmin.SERVICE_FACTORYPID)) {
                p.put((String) k, props.get(k));
            }
        }
        stored.put(pid, p);
    }
}

package earthwo.channels.internal;

import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.TreeMap;

/**
 * ConfigurationAdmin in memory, as far as the mirror commands use it: named factory
 * configurations, listed by LDAP filter, updated and deleted. {@link #stored} holds each
 * configuration's properties by PID, as ConfigurationAdmin would hand them to the component.
 */
final class TestConfigAdmin {

    final Map<String, Hashtable<String, Object>> stored = new TreeMap<>();

    final ConfigurationAdmin admin = proxy(ConfigurationAdmin.class, (method, args) -> switch (method) {
        case "getFactoryConfiguration" -> configuration(args[0] + "~" + args[1], (String) args[0]);
        case "listConfigurations" -> {
            var filter = FrameworkUtil.createFilter((String) args[0]);
            Configuration[] found = stored.entrySet().stream().filter(e -> filter.match(e.getValue()))
                    .map(e -> configuration(e.getKey(), (String) e.getValue().get(ConfigurationAdmin.SERVICE_FACTORYPID)))
                    .toArray(Configuration[]::new);
            yield found.length == 0 ? null : found;
        }
        default -> throw new UnsupportedOperationException(method);
    });

    /** A configuration as FileInstall would make it from deploy/PID.cfg (factory PID before the '-'). */
    void addFromFile(String factoryPid, String name, Map<String, Object> props) {
        Hashtable<String, Object> p = new Hashtable<>(props);
        p.put(Constants.SERVICE_PID, factoryPid + "~" + name);
        p.put(ConfigurationAdmin.SERVICE_FACTORYPID, factoryPid);
        p.put("felix.fileinstall.filename", "file:/deploy/" + factoryPid + "-" + name + ".cfg");
        stored.put(factoryPid + "~" + name, p);
    }

    private Configuration configuration(String pid, String factoryPid) {
        return proxy(Configuration.class, (method, args) -> switch (method) {
            case "getPid" -> pid;
            case "getFactoryPid" -> factoryPid;
            case "getProperties" -> stored.containsKey(pid) ? new Hashtable<>(stored.get(pid)) : null;
            case "update" -> {
                Hashtable<String, Object> p = new Hashtable<>();
                Dictionary<?, ?> d = (Dictionary<?, ?>) args[0];
                for (Object k : Collections.list(d.keys())) {
                    p.put((String) k, d.get(k));
                }
                p.put(Constants.SERVICE_PID, pid);
                p.put(ConfigurationAdmin.SERVICE_FACTORYPID, factoryPid);
                stored.put(pid, p);
                yield null;
            }
            case "delete" -> {
                stored.remove(pid);
                yield null;
            }
            default -> throw new UnsupportedOperationException(method);
        });
    }

    private interface Calls {
        Object call(String method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, Calls calls) {
        return type.cast(Proxy.newProxyInstance(TestConfigAdmin.class.getClassLoader(), new Class<?>[] {type},
                (p, m, args) -> m.getName().equals("toString") ? "test " + type.getSimpleName()
                        : calls.call(m.getName(), args)));
    }
}

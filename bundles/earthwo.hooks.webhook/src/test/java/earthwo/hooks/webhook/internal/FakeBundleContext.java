package earthwo.hooks.webhook.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A BundleContext that records the services registered through it and their properties. */
final class FakeBundleContext {

    record Registered(Class<?> type, Object service, Map<String, Object> properties) {
    }

    /** The services registered and not unregistered. */
    final List<Registered> services = new CopyOnWriteArrayList<>();

    final BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {BundleContext.class}, (proxy, method, args) -> switch (method.getName()) {
                case "registerService" -> register((Class<?>) args[0], args[1], (Dictionary<?, ?>) args[2]);
                case "getProperty" -> null;
                case "toString" -> "FakeBundleContext";
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private ServiceRegistration<?> register(Class<?> type, Object service, Dictionary<?, ?> props) {
        Map<String, Object> p = new HashMap<>();
        for (Object k : Collections.list(props.keys())) {
            p.put((String) k, props.get(k));
        }
        Registered r = new Registered(type, service, p);
        services.add(r);
        return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
                    if (method.getName().equals("unregister")) {
                        if (!services.remove(r)) {
                            throw new IllegalStateException("unregistered twice");
                        }
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}

package earthwo.indexes.internal;

import earthwo.api.indexes.IndexExtractor;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The extractor schemes of this node: the built-in {@code json} and {@code key}, which are always
 * there, and those of {@link IndexExtractor} services (the whiteboard), which come and go with
 * their bundles. A service may not take a built-in scheme, nor one another service has.
 */
final class ExtractorRegistry {

    private final Map<String, IndexExtractor> builtIn = Map.of(JsonPathExtractor.SCHEME, new JsonPathExtractor(),
            KeyRegexExtractor.SCHEME, new KeyRegexExtractor());
    /** Scheme to (service id, extractor). */
    private final Map<String, Map.Entry<Long, IndexExtractor>> services = new ConcurrentHashMap<>();

    /** The extractor of a scheme, or null if this node has none. */
    IndexExtractor get(String scheme) {
        IndexExtractor b = builtIn.get(scheme);
        if (b != null) {
            return b;
        }
        Map.Entry<Long, IndexExtractor> s = services.get(scheme);
        return s == null ? null : s.getValue();
    }

    /**
     * Takes a service's scheme; a reason (to log) when it is refused: a bad or built-in scheme,
     * or one another service serves.
     */
    synchronized String add(String scheme, long serviceId, IndexExtractor extractor) {
        if (scheme == null || !ExtractorSpec.isValidScheme(scheme)) {
            return "its " + IndexExtractor.SCHEME + " property '" + scheme + "' is not a scheme ("
                    + ExtractorSpec.SCHEME_SYNTAX + ")";
        }
        if (builtIn.containsKey(scheme)) {
            return "the scheme '" + scheme + "' is built in";
        }
        Map.Entry<Long, IndexExtractor> held = services.get(scheme);
        if (held != null && held.getKey() != serviceId) {
            return "the scheme '" + scheme + "' is served by service " + held.getKey();
        }
        services.put(scheme, Map.entry(serviceId, extractor));
        return null;
    }

    /** Drops a service's scheme; true if it held it. */
    synchronized boolean remove(String scheme, long serviceId) {
        Map.Entry<Long, IndexExtractor> held = scheme == null ? null : services.get(scheme);
        if (held == null || held.getKey() != serviceId) {
            return false;
        }
        services.remove(scheme);
        return true;
    }

    /** Every scheme this node has, for messages. */
    String known() {
        TreeSet<String> all = new TreeSet<>(builtIn.keySet());
        all.addAll(services.keySet());
        return String.join(", ", all);
    }

    /** For status: scheme to serving bundle's service id (built-ins: -1). */
    Map<String, Long> schemes() {
        Map<String, Long> out = new TreeMap<>();
        builtIn.keySet().forEach(s -> out.put(s, -1L));
        services.forEach((s, e) -> out.put(s, e.getKey()));
        return out;
    }
}

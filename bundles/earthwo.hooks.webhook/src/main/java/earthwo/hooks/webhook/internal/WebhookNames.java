package earthwo.hooks.webhook.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Which configuration holds which webhook name: a name is the key of a hook's delivery position,
 * so a second configuration with the same name (a copied .cfg file not yet edited) is refused
 * with both configurations named, instead of two hooks sharing one position.
 */
final class WebhookNames {

    private final Map<String, String> owners = new HashMap<>();

    /** Claims {@code name} for {@code pid}; returns the pid already holding it, or null when the claim succeeded. */
    synchronized String claim(String name, String pid) {
        String owner = owners.putIfAbsent(name, pid);
        return owner == null || owner.equals(pid) ? null : owner;
    }

    synchronized void release(String name, String pid) {
        owners.remove(name, pid);
    }
}

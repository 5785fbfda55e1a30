package earthwo.client;

import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.client.internal.RoutingKvClient;

/**
 * Entry point for plain Java programs that put the earthwo.api and earthwo.client jars on the
 * class path (inside OSGi, use the {@link KvClientFactory} service instead):
 *
 * <pre>{@code
 * try (KvClient kv = EarthwoClients.connect(KvClientFactory.Config.seeds("127.0.0.1:7380"))) {
 *     kv.put(Keys.utf8("k"), Keys.utf8("v"));
 * }
 * }</pre>
 */
public final class EarthwoClients {

    private EarthwoClients() {
    }

    /**
     * Connects to the first seed that answers and fetches the segment map.
     *
     * @throws earthwo.api.EarthwoException UNAVAILABLE when no seed answers, AUTH when a secret is refused
     */
    public static KvClient connect(KvClientFactory.Config config) {
        return RoutingKvClient.connect(config, true, null);
    }

    /** A factory for code written against {@link KvClientFactory} outside OSGi. */
    public static KvClientFactory factory() {
        return EarthwoClients::connect;
    }
}

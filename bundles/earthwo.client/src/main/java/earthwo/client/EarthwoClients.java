package earthwo.client;

import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.client.internal.RoutingKvClient;

import java.util.concurrent.CompletableFuture;

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

    /**
     * Connects to the first seed that answers and sends every request there (then to the other
     * seeds), without a segment map: one connection, the node forwards what it does not hold.
     * Meant for load generators and tools that address one node on purpose; applications want
     * {@link #connect}, which goes to each key's master directly.
     *
     * @throws earthwo.api.EarthwoException UNAVAILABLE when no seed answers, AUTH when a secret is refused
     */
    public static KvClient connectToOneNode(KvClientFactory.Config config) {
        return RoutingKvClient.connect(config, false, null);
    }

    /** A factory for code written against {@link KvClientFactory} outside OSGi. */
    public static KvClientFactory factory() {
        return EarthwoClients::connect;
    }

    /**
     * PINGs the client's first node (then the others it knows); completes when one answers.
     * Here rather than on {@link KvClient} because the API's client interface has no ping.
     *
     * @param client a client of this library ({@link #connect}, {@link #connectToOneNode} or the
     *               {@link KvClientFactory} service of the client bundle)
     * @throws IllegalArgumentException for a client of another implementation
     */
    public static CompletableFuture<Void> pingAsync(KvClient client) {
        if (client instanceof RoutingKvClient routing) {
            return routing.pingAsync();
        }
        throw new IllegalArgumentException("not a client of earthwo.client: " + client);
    }
}

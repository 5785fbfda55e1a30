package earthwo.client.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OSGi entry point: a {@link KvClientFactory} service. Every client it created and that is
 * still open is closed when the component deactivates (bundle stop or update), so no client
 * thread or socket outlives the bundle.
 */
@Component(service = KvClientFactory.class)
public final class KvClientFactoryComponent implements KvClientFactory {

    private final Set<KvClient> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean active = true;

    @Override
    public KvClient connect(Config config) {
        if (!active) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "the client bundle is stopping");
        }
        RoutingKvClient[] self = new RoutingKvClient[1];
        RoutingKvClient c = RoutingKvClient.connect(config, true, () -> {
            if (self[0] != null) {
                clients.remove(self[0]);
            }
        });
        self[0] = c;
        clients.add(c);
        if (!active) {
            c.close();
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "the client bundle is stopping");
        }
        return c;
    }

    /** Clients created and not yet closed. */
    int openClients() {
        return clients.size();
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (KvClient c : clients) {
            c.close();
        }
        clients.clear();
    }
}

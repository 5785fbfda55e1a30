package earthwo.client;

import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory.Config;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.client.testing.FakeNodeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static earthwo.api.Keys.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain-jar entry points besides {@code connect}, which RoutingKvClientTest covers. */
class EarthwoClientsTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();

    private FakeNodeServer server(int id) throws Exception {
        FakeNodeServer s = new FakeNodeServer(id);
        toClose.add(s);
        return s;
    }

    private <C extends AutoCloseable> C closeLater(C c) {
        toClose.add(0, c);
        return c;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** Two nodes, the even segments (of 16) mastered by a, the odd ones by b. */
    private static SegmentMap splitMap(FakeNodeServer a, FakeNodeServer b) {
        List<List<Integer>> replicas = new ArrayList<>();
        for (int s = 0; s < 16; s++) {
            replicas.add(s % 2 == 0 ? List.of(1, 2) : List.of(2, 1));
        }
        return new SegmentMap(3, 2, replicas, Map.of(1, new NodeInfo(1, "127.0.0.1", a.port()),
                2, new NodeInfo(2, "127.0.0.1", b.port())));
    }

    @Test
    void aOneNodeClientSendsEverythingToTheSeedWithoutAskingForTheMap() throws Exception {
        FakeNodeServer a = server(1);
        FakeNodeServer b = server(2);
        a.map = splitMap(a, b);
        b.map = a.map;
        KvClient one = closeLater(EarthwoClients.connectToOneNode(Config.seeds(a.address())));
        for (int i = 0; i < 40; i++) {
            one.put(utf8("k" + i), utf8("v"));
        }
        assertEquals(40, a.received(), "every PUT and no MAP");
        assertEquals(1, a.connections());
        assertEquals(0, b.connections());

        KvClient routing = closeLater(EarthwoClients.connect(Config.seeds(a.address())));
        for (int i = 0; i < 40; i++) {
            routing.put(utf8("k" + i), utf8("w"));
        }
        assertTrue(b.received() > 0, "the routing client goes to each key's master");
    }

    @Test
    void pingsThroughEitherKindOfClient() throws Exception {
        FakeNodeServer a = server(1);
        KvClient routing = closeLater(EarthwoClients.connect(Config.seeds(a.address())));
        KvClient one = closeLater(EarthwoClients.connectToOneNode(Config.seeds(a.address())));
        int before = a.received();
        assertNull(EarthwoClients.pingAsync(routing).get(5, TimeUnit.SECONDS));
        assertNull(EarthwoClients.pingAsync(one).get(5, TimeUnit.SECONDS));
        assertEquals(before + 2, a.received());
    }

    @Test
    void refusesToPingAClientOfAnotherImplementation() {
        KvClient foreign = (KvClient) Proxy.newProxyInstance(KvClient.class.getClassLoader(),
                new Class<?>[]{KvClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("toString")) {
                        return "foreign";
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EarthwoClients.pingAsync(foreign));
        assertTrue(e.getMessage().contains("foreign"), e.getMessage());
    }
}

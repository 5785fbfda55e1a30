package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import earthwo.cluster.internal.MapCodec.NodeDoc;

/** The registration carries what the node published, also what it published before it could register. */
class NodeRegistrationTest {

    private static final ClusterPaths PATHS = ClusterPaths.of(TestNodes.CLUSTER);

    @TempDir
    Path tmp;

    private TestNodes nodes;

    @BeforeEach
    void setUp() throws Exception {
        nodes = new TestNodes(tmp);
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
    }

    @Test
    void caughtUpReplicasPublishedBeforeTheZnodeExistsAreInIt() throws Exception {
        TestingServer server = nodes.zooKeeper();
        CuratorFramework client = nodes.closeLater(CuratorFrameworkFactory.newClient(server.getConnectString(),
                new RetryOneTime(100)));
        client.start();
        assertTrue(client.blockUntilConnected(10, TimeUnit.SECONDS));
        ClusterSettings settings = ClusterSettings.from(nodes.config("a", server.getConnectString()), k -> null);
        NodeRegistration registration = nodes.closeLater(new NodeRegistration(settings, PATHS, 7));

        registration.publishCaughtUp(Map.of(3, 12L)); // serving on its kept map, not registered yet
        registration.start(client);
        NodeDoc doc = MapCodec.decode(client.getData().forPath(PATHS.node(7)), NodeDoc.class, "registration");
        assertEquals(Map.of(3, 12L), doc.caughtUp());
        assertTrue(doc.authenticates());

        registration.publishCaughtUp(Map.of(3, 12L, 4, 13L));
        TestNodes.await("the new marks in the znode", 5_000, () -> {
            try {
                return MapCodec.decode(client.getData().forPath(PATHS.node(7)), NodeDoc.class, "registration")
                        .caughtUp().equals(Map.of(3, 12L, 4, 13L));
            } catch (Exception e) {
                return false;
            }
        });
    }
}

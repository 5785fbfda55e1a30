package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import earthwo.api.NodeProperties;
import earthwo.cluster.internal.MapCodec.ConfigDoc;
import earthwo.cluster.internal.MapCodec.MapDoc;
import earthwo.cluster.internal.MapCodec.NodeDoc;

/** Only the nodes of the cluster, which share its secret, may change its znodes. */
class ZooKeeperAclTest {

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

    /** A plain client, without the cluster's identity unless given one. */
    private CuratorFramework client(TestingServer server, String secret) throws InterruptedException {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100));
        if (secret != null) {
            b.authorization(ZooKeeperAcl.SCHEME, ZooKeeperAcl.of(secret, TestNodes.CLUSTER).authorization());
        }
        CuratorFramework c = nodes.closeLater(b.build());
        c.start();
        assertTrue(c.blockUntilConnected(10, TimeUnit.SECONDS));
        return c;
    }

    @Test
    void aClientWithoutTheClusterSecretCannotChangeTheMapOrJoin() throws Exception {
        TestingServer server = nodes.zooKeeper();
        ClusterNode node = nodes.start(nodes.config("a", server.getConnectString()));
        TestNodes.await("the map", 10_000, () -> node.currentMap() != null && node.joined());

        for (CuratorFramework foreign : List.of(client(server, null), client(server, "some-other-secret"))) {
            byte[] map = foreign.getData().forPath(PATHS.map());
            assertEquals(node.currentMap().epoch(), MapCodec.decodeMap(map).epoch, "everyone may read");
            assertThrows(KeeperException.NoAuthException.class, () -> foreign.setData().forPath(PATHS.map(), new byte[0]));
            assertThrows(KeeperException.NoAuthException.class,
                    () -> foreign.setData().forPath(PATHS.config(), MapCodec.encode(new ConfigDoc(TestNodes.S, 1))));
            assertThrows(KeeperException.NoAuthException.class, () -> foreign.create().withMode(CreateMode.EPHEMERAL)
                    .forPath(PATHS.node(4242), MapCodec.encode(new NodeDoc(4242, "127.0.0.1", 9999))));
            assertThrows(KeeperException.NoAuthException.class, () -> foreign.create()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(PATHS.controller() + "/latch-"));
            assertThrows(KeeperException.NoAuthException.class, () -> foreign.delete().forPath(PATHS.node(node.localNodeId())));
            assertThrows(KeeperException.NoAuthException.class,
                    () -> foreign.setACL().withACL(Ids.OPEN_ACL_UNSAFE).forPath(PATHS.map()));
        }
        String secret = Files.readString(nodes.secretFile()).strip();
        String password = new String(ZooKeeperAcl.of(secret, TestNodes.CLUSTER).authorization(), StandardCharsets.UTF_8);
        Id cluster = new Id("digest", DigestAuthenticationProvider.generateDigest(password));
        // ZooKeeper shows the digest only to a client with ADMIN permission: one with the cluster's identity
        CuratorFramework same = client(server, secret);
        for (String path : List.of(PATHS.base(), PATHS.config(), PATHS.nodes(), PATHS.node(node.localNodeId()),
                PATHS.map(), PATHS.controller(), PATHS.clock(node.localNodeId()))) {
            assertEquals(List.of(new ACL(Perms.ALL, cluster), new ACL(Perms.READ, Ids.ANYONE_ID_UNSAFE)),
                    same.getACL().forPath(path), path);
        }
        assertEquals(ZooKeeperAcl.SHARED_PARENT, same.getACL().forPath(ClusterPaths.SHARED_PARENT));

        // what the nodes can do, a client with the cluster's identity can
        byte[] map = same.getData().forPath(PATHS.map());
        same.setData().forPath(PATHS.map(), map);
        assertArrayEquals(map, same.getData().forPath(PATHS.map()));
    }

    @Test
    void aNodeWithAnotherSecretIsRefusedNamingItsSecretFile() throws Exception {
        TestingServer server = nodes.zooKeeper();
        ClusterNode node = nodes.start(nodes.config("a", server.getConnectString()));
        TestNodes.await("the map", 10_000, () -> node.currentMap() != null);
        Path other = tmp.resolve("other.secret");
        Files.writeString(other, "not-the-cluster-secret\n");
        Map<String, Object> config = nodes.config("b", server.getConnectString());
        config.put(NodeProperties.CLUSTER_SECRET_FILE, other.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> nodes.start(config));
        assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
        assertTrue(e.getCause() instanceof KeeperException.NoAuthException, String.valueOf(e.getCause()));
    }

    @Test
    void aNodeOfAnExternalZooKeeperWithoutTheSecretFileIsRefusedNamingTheFile() throws Exception {
        Map<String, Object> config = nodes.config("a", TestNodes.nowhere());
        Path absent = tmp.resolve("absent.secret");
        config.put(NodeProperties.CLUSTER_SECRET_FILE, absent.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nodes.start(config));
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
        assertFalse(Files.exists(absent), "not generated: the node cannot know the others' secret");
    }

    @Test
    void aNodeWithItsOwnZooKeeperGeneratesTheSecretOnceForItsOwnerOnly() throws Exception {
        Map<String, Object> config = nodes.config("a", "");
        config.remove(NodeProperties.CLUSTER_SECRET_FILE);
        ClusterNode node = nodes.start(config);
        Path file = tmp.resolve("a").resolve(NodeProperties.CLUSTER_SECRET_FILE_NAME);
        String secret = Files.readString(file).strip();
        assertEquals(64, secret.length());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        nodes.stop(node);
        nodes.start(config);
        assertEquals(secret, Files.readString(file).strip(), "never replaced");
    }

    /**
     * A cluster made before ACLs: its znodes are open. While a node of the earlier version (no
     * digestAuth in its registration) is in the cluster they stay open, so it keeps working; once
     * every node authenticates, the controller closes them.
     */
    @Test
    void znodesMadeBeforeAclsStayOpenUntilEveryNodeAuthenticates() throws Exception {
        TestingServer server = nodes.zooKeeper();
        CuratorFramework old = client(server, null);
        int oldId = 5;
        old.create().creatingParentsIfNeeded().forPath(PATHS.config(), MapCodec.encode(new ConfigDoc(TestNodes.S, 3)));
        old.create().forPath(PATHS.nodes());
        old.create().withMode(CreateMode.EPHEMERAL).forPath(PATHS.node(oldId),
                MapCodec.encode(new NodeDoc(oldId, "127.0.0.1", 7999)));
        MapDoc earlier = new MapDoc();
        earlier.epoch = 1;
        earlier.replicas = 3;
        earlier.controller = oldId;
        for (int s = 0; s < TestNodes.S; s++) {
            earlier.segments.add(List.of(oldId));
        }
        earlier.nodes.add(new NodeDoc(oldId, "127.0.0.1", 7999, old.getZookeeperClient().getZooKeeper().getSessionId()));
        old.create().forPath(PATHS.map(), MapCodec.encode(earlier));

        Map<String, Object> config = nodes.config("a", server.getConnectString());
        config.put(ClusterSettings.GRACE_MS, "500");
        ClusterNode node = nodes.start(config);
        TestNodes.await("a map with both nodes", 10_000, () -> node.currentMap() != null
                && node.currentMap().nodes().keySet().equals(java.util.Set.of(oldId, node.localNodeId())));
        // that map was computed with the old node live: the znodes it writes stay open
        for (String path : List.of(PATHS.base(), PATHS.config(), PATHS.nodes(), PATHS.map())) {
            assertTrue(ZooKeeperAcl.isOpen(old.getACL().forPath(path)), path);
        }
        old.setData().forPath(PATHS.map(), old.getData().forPath(PATHS.map())); // as an old controller would

        old.close(); // the old node leaves; after the grace period only authenticating nodes are left
        CuratorFramework foreign = client(server, null);
        TestNodes.await("the znodes made before ACLs closed", 15_000, () -> {
            try {
                for (String path : List.of(PATHS.base(), PATHS.config(), PATHS.nodes(), PATHS.map())) {
                    if (ZooKeeperAcl.isOpen(foreign.getACL().forPath(path))) {
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        assertThrows(KeeperException.NoAuthException.class,
                () -> foreign.setData().forPath(PATHS.map(), foreign.getData().forPath(PATHS.map())));
        long epoch = node.currentMap().epoch();
        node.setReplicationFactor(1); // the cluster still writes its own znodes
        TestNodes.await("a map with R=1", 5_000, () -> node.currentMap().epoch() > epoch
                && node.currentMap().replicationFactor() == 1);
        assertEquals(new TreeMap<>(), new TreeMap<>(node.pins()));
    }
}

package earthwo.cluster.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

import earthwo.api.NodeProperties;
import earthwo.api.testing.Poll;

/**
 * Nodes of one test cluster ("test", 32 segments, one cluster secret) and the ZooKeeper they use;
 * {@link #close()} closes everything made here, last first.
 */
final class TestNodes implements AutoCloseable {

    static final int S = 32;
    static final String CLUSTER = "test";

    private final Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    TestNodes(Path dir) throws IOException {
        this.dir = dir;
        Files.writeString(secretFile(), "the-cluster-secret-of-the-test\n");
    }

    Path secretFile() {
        return dir.resolve("cluster.secret");
    }

    /** A node's settings: 1 s connection and session timeouts, so ZooKeeper's absence shows quickly. */
    Map<String, Object> config(String name, String connect) {
        Map<String, Object> c = new HashMap<>();
        c.put(NodeProperties.DATA_DIR, dir.resolve(name).toString());
        c.put(NodeProperties.ZK_CONNECT, connect);
        c.put(NodeProperties.SEGMENTS, String.valueOf(S));
        c.put(NodeProperties.PORT, String.valueOf(7380 + Math.abs(name.hashCode() % 100)));
        c.put(NodeProperties.CLUSTER, CLUSTER);
        c.put(NodeProperties.CLUSTER_SECRET_FILE, secretFile().toString());
        c.put(ClusterSettings.GRACE_MS, "60000");
        c.put(ClusterSettings.SESSION_TIMEOUT_MS, "1000");
        c.put(ClusterSettings.CONNECTION_TIMEOUT_MS, "1000");
        return c;
    }

    ClusterNode start(Map<String, Object> config) throws Exception {
        ClusterNode node = new ClusterNode(ClusterSettings.from(config, k -> null)).start();
        toClose.add(node);
        return node;
    }

    /** Closes a node now (it stays in the list: closing twice is harmless). */
    void stop(ClusterNode node) {
        node.close();
    }

    /** ZooKeeper with 200 ms ticks, so it accepts the 1 s session timeout (its minimum is 2 ticks). */
    TestingServer zooKeeper() throws Exception {
        TestingServer server = new TestingServer(new InstanceSpec(dir.resolve("zk-" + toClose.size()).toFile(), -1, -1,
                -1, true, -1, 200, -1), true);
        toClose.add(server);
        return server;
    }

    /** Remembers something else to close with the nodes. */
    <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    /** A connect string where no ZooKeeper listens. */
    static String nowhere() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        Poll.until(what, Duration.ofMillis(timeoutMs), condition);
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

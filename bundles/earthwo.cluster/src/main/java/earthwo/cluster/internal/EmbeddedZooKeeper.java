package earthwo.cluster.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A standalone in-process ZooKeeper server bound to 127.0.0.1, for a node without zk.connect. */
final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
    private static final int TICK_MS = 2000; // sessions may last 4 s .. 40 s
    private static final int MAX_CLIENT_CONNECTIONS = 200;

    private final ZooKeeperServer server;
    private final ServerCnxnFactory factory;

    private EmbeddedZooKeeper(ZooKeeperServer server, ServerCnxnFactory factory) {
        this.server = server;
        this.factory = factory;
    }

    static EmbeddedZooKeeper start(Path dir, int port) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        ZooKeeperServer server = new ZooKeeperServer(dir.toFile(), dir.toFile(), TICK_MS);
        ServerCnxnFactory factory = ServerCnxnFactory.createFactory(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), MAX_CLIENT_CONNECTIONS);
        try {
            factory.startup(server);
        } catch (IOException | InterruptedException | RuntimeException e) {
            factory.shutdown();
            server.shutdown();
            throw e;
        }
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(server, factory);
        LOG.info("embedded ZooKeeper started at {} with data in {}", zk.connectString(), dir);
        return zk;
    }

    String connectString() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + factory.getLocalPort();
    }

    @Override
    public void close() {
        factory.shutdown(); // also shuts the server down
        server.shutdown();
        try {
            server.getTxnLogFactory().close();
        } catch (IOException e) {
            LOG.warn("closing the embedded ZooKeeper's log failed", e);
        }
        LOG.info("embedded ZooKeeper stopped");
    }
}

package earthwo.cluster.internal;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures this node's clock against ZooKeeper's, the one clock every node of the cluster shares:
 * it writes a znode of its own and compares the modification time ZooKeeper stamps on it with its
 * own clock around the write. A node whose clock jumped ahead cannot tell from its own clock, and
 * the versions it stamps would win over every correctly clocked write; this reference lets it
 * notice (see {@code ClusterView#referenceClockOffsetMillis}). Measured at start, then every
 * {@value #INTERVAL_MS} ms on a thread of its own; while ZooKeeper is unreachable the last
 * measurement stays.
 */
final class ZooKeeperClock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperClock.class);
    static final long INTERVAL_MS = 10_000;
    /** A round trip longer than this says too little about when ZooKeeper stamped the write. */
    private static final long MAX_ROUND_TRIP_MS = 1_000;

    private final int nodeId;
    private final String path;
    private final CuratorFramework client;
    private ScheduledExecutorService scheduler;
    /** ZooKeeper's clock minus this node's, in ms; empty until measured. Read on every write. */
    private volatile OptionalLong offset = OptionalLong.empty();

    ZooKeeperClock(int nodeId, String path, CuratorFramework client) {
        this.nodeId = nodeId;
        this.path = path;
        this.client = client;
    }

    /** Measures once (if ZooKeeper answers), then keeps measuring in the background. */
    void start() {
        probe();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "earthwo-zk-clock-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::probe, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** How far ZooKeeper's clock is ahead of this node's (negative: behind), or empty before a measurement. */
    OptionalLong offsetMillis() {
        return offset;
    }

    private void probe() {
        if (!client.getZookeeperClient().isConnected()) {
            return;
        }
        try {
            byte[] data = Integer.toString(nodeId).getBytes(StandardCharsets.UTF_8);
            long before = System.currentTimeMillis();
            Stat stat;
            try {
                stat = client.setData().forPath(path, data);
            } catch (KeeperException.NoNodeException absent) {
                client.create().creatingParentsIfNeeded().forPath(path, data);
                before = System.currentTimeMillis();
                stat = client.setData().forPath(path, data);
            }
            long after = System.currentTimeMillis();
            if (after - before > MAX_ROUND_TRIP_MS) {
                return;
            }
            long measured = stat.getMtime() - (before + after) / 2;
            OptionalLong previous = offset;
            offset = OptionalLong.of(measured);
            if (previous.isEmpty() || Math.abs(measured - previous.getAsLong()) > MAX_ROUND_TRIP_MS) {
                LOG.info("node {}: ZooKeeper's clock is {} ms {} this node's", nodeId, Math.abs(measured),
                        measured >= 0 ? "ahead of" : "behind");
            }
        } catch (Exception e) {
            LOG.debug("node {}: measuring the clock against ZooKeeper failed: {}", nodeId, e.toString());
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package earthwo.it.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.it.RawConnection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose clock jumps an hour ahead must not stamp the cluster's versions: they would beat
 * every correctly clocked write of their keys for that hour. Three nodes at R=3; the third runs
 * with {@code -Dearthwo.clock.offset.ms=3600000}. It measures its clock against ZooKeeper's,
 * refuses to coordinate writes and hands each one sent to it to another replica; it still applies
 * the others' replica writes. Every write sent to any node is acknowledged, stamped by a correct
 * clock, and readable with its last value from every node.
 */
class ClockAheadTest {

    private static final long HOUR_MS = 3_600_000;
    private static final String CLUSTER = "ahead";
    private static final int NODES = 3;
    private static final int FAST = 2;
    private static final int KEYS = 60;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    @Test
    void aNodeAnHourAheadCoordinatesNothingAndLosesNoWriteOfTheOthers() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, CLUSTER)) {
            cluster.startZooKeeper().startNodes(NODES - 1).startNodes(1, "-Dearthwo.clock.offset.ms=" + HOUR_MS);
            awaitReady(cluster);

            Map<String, String> values = new HashMap<>();
            for (int round = 0; round < 2; round++) {
                for (int k = 0; k < KEYS; k++) {
                    String key = "ahead:" + k;
                    String value = "v" + round + ":" + k;
                    int node = (k + round) % NODES; // every third write goes to the fast node
                    try (RawConnection c = new RawConnection(cluster.node(node).address())) {
                        Response r = c.call(Request.put(1, Keys.utf8(key), Keys.utf8(value), 0, WriteConcern.ALL));
                        assertTrue(!r.isError(), "write of " + key + " through node " + node + ": " + r);
                        long skew = r.version().wallMillis() - System.currentTimeMillis();
                        assertTrue(skew < 60_000, key + " stamped " + skew + " ms ahead: " + r.version());
                    }
                    values.put(key, value);
                }
            }

            Map<String, String> fast = cluster.status(FAST);
            assertEquals("false", fast.get("kv.coordinates.writes"), "the fast node refuses to coordinate: " + fast);
            long aheadMs = Long.parseLong(fast.get("kv.clock.ahead.of.zookeeper.ms"));
            assertTrue(aheadMs > HOUR_MS - 60_000 && aheadMs < HOUR_MS + 60_000, "measured " + aheadMs + " ms ahead");
            assertTrue(Long.parseLong(fast.get("kv.writes.handed.over")) >= KEYS * 2 / NODES - 1,
                    "the writes sent to the fast node went to other replicas: " + fast);
            assertTrue(Long.parseLong(fast.get("kv.replica.applies")) > 0, "the fast node applies replica writes: " + fast);
            for (int i = 0; i < NODES; i++) {
                if (i != FAST) {
                    assertEquals("true", cluster.status(i).get("kv.coordinates.writes"), "node " + i);
                }
            }

            for (int i = 0; i < NODES; i++) {
                try (RawConnection c = new RawConnection(cluster.node(i).address())) {
                    for (Map.Entry<String, String> e : values.entrySet()) {
                        Response r = c.call(Request.get(1, Keys.utf8(e.getKey())));
                        assertTrue(!r.isError() && r.record() != null, "node " + i + " " + e.getKey() + ": " + r);
                        Record rec = r.record();
                        assertArrayEquals(Keys.utf8(e.getValue()), rec.value(), "node " + i + " has the last value of "
                                + e.getKey() + ", not " + Keys.string(rec.value()));
                        Version v = rec.version();
                        assertTrue(v.nodeId() != nodeIdOf(cluster, FAST), e.getKey() + " was stamped by the fast node: " + v);
                    }
                }
            }
        }
    }

    private static int nodeIdOf(LocalCluster cluster, int index) throws Exception {
        return Integer.parseInt(cluster.status(index).get("cluster.node"));
    }

    private static void awaitReady(LocalCluster cluster) throws Exception {
        cluster.awaitEveryNodeHoldsEverySegment(NODES, READY_TIMEOUT);
    }
}

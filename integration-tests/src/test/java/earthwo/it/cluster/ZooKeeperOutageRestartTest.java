package earthwo.it.cluster;

import earthwo.api.testing.Poll;
import earthwo.api.Keys;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.client.EarthwoClients;
import earthwo.it.NodeProcess;
import earthwo.it.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A node that crashes while ZooKeeper is down comes back at once. Three node processes and a
 * standalone ZooKeeper ({@code bin/earthwo zk start|stop}):
 * <ul>
 * <li>keys written at W=all; ZooKeeper stopped; one node killed with {@code kill -9} and started
 * again with {@code bin/earthwo start} while ZooKeeper is still down: the start succeeds within
 * 30 s, on the segment map the node kept in its data directory ({@code cluster.map.source=disk});</li>
 * <li>the restarted node serves reads of every key written before (and of those written while it
 * was down) and accepts writes; it is fenced from master duties ({@code cluster:status});</li>
 * <li>ZooKeeper started again: the node joins, takes the map from ZooKeeper and is unfenced once
 * the controller wrote a map for its new session; every acknowledged key is readable.</li>
 * </ul>
 * And a node that never joined (no kept map) waits for ZooKeeper without blocking its own stop:
 * {@code bin/earthwo stop} ends it within 10 s.
 */
class ZooKeeperOutageRestartTest {

    private static final Duration RESTART_LIMIT = Duration.ofSeconds(30);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(10);
    private static final int VICTIM = 1;

    @TempDir
    Path root;

    @Test
    void aNodeKilledDuringAZooKeeperOutageRestartsOnItsKeptMapAndRejoinsWhenZooKeeperReturns() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "zkrestart").startZooKeeper().startNodes(3)) {
            SegmentMap before = cluster.awaitMap(0, m -> m.nodes().size() == 3 && LocalCluster.everySegmentHas(m, 3),
                    Duration.ofSeconds(60), "3 nodes and 3 replicas of every segment");
            for (int i = 0; i < 3; i++) {
                cluster.awaitMap(i, m -> m.epoch() == before.epoch(), Duration.ofSeconds(30), "node " + (i + 1)
                        + " at epoch " + before.epoch());
                cluster.awaitStatus(i, "cluster.fenced", "false", Duration.ofSeconds(30));
            }
            Map<String, String> acked = new ConcurrentHashMap<>();
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(10)))) {
                write(client, "before:", 300, WriteConcern.ALL, acked);

                cluster.stopZooKeeper();
                log("ZooKeeper stopped");
                for (int i = 0; i < 3; i++) {
                    cluster.awaitStatus(i, "cluster.connected", "false", Duration.ofSeconds(30));
                }
                NodeProcess victim = cluster.node(VICTIM);
                victim.kill9();
                log("node " + (VICTIM + 1) + " killed");
                write(client, "down:", 100, WriteConcern.QUORUM, acked);

                long t0 = System.nanoTime();
                victim.start("--cluster", "zkrestart", "--zk", cluster.zkAddress());
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                log("node " + (VICTIM + 1) + " started again in " + took.toMillis() + " ms without ZooKeeper");
                assertTrue(took.compareTo(RESTART_LIMIT) < 0, "bin/earthwo start took " + took + " while ZooKeeper was down");

                Map<String, String> status = cluster.status(VICTIM);
                assertEquals("disk", status.get("cluster.map.source"), "status " + status);
                assertEquals("false", status.get("cluster.connected"), "status " + status);
                assertEquals("true", status.get("cluster.fenced"), "status " + status);
                assertEquals(String.valueOf(before.epoch()), status.get("cluster.epoch"), "status " + status);
                String text = clusterStatus(cluster, VICTIM);
                assertTrue(text.contains("ZooKeeper disconnected") && text.contains("master duties FENCED"), text);

                // reads and writes on the restarted node itself, while ZooKeeper is still down
                try (RawConnection c = new RawConnection(victim.address())) {
                    int id = 1;
                    for (Map.Entry<String, String> e : new ArrayList<>(acked.entrySet())) {
                        Response r = c.call(Request.get(id++, Keys.utf8(e.getKey())));
                        assertFalse(r.isError() || r.isNotFound(), e.getKey() + " on the restarted node: " + r);
                        assertEquals(e.getValue(), Keys.string(r.record().value()), e.getKey());
                    }
                    for (int i = 0; i < 100; i++) {
                        String key = "restarted:" + i;
                        String value = "v-" + key;
                        Response r = c.call(Request.put(id++, Keys.utf8(key), Keys.utf8(value), 0, WriteConcern.QUORUM));
                        assertFalse(r.isError(), key + " written on the restarted node: " + r);
                        acked.put(key, value);
                    }
                }
                log("restarted node served " + acked.size() + " reads and 100 writes without ZooKeeper");

                cluster.startZooKeeper();
                log("ZooKeeper started again");
                cluster.awaitStatus(VICTIM, "cluster.connected", "true", Duration.ofSeconds(60));
                cluster.awaitStatus(VICTIM, "cluster.map.source", "zookeeper", Duration.ofSeconds(60));
                for (int i = 0; i < 3; i++) {
                    cluster.awaitStatus(i, "cluster.fenced", "false", Duration.ofSeconds(90)); // re-elected
                }
                assertTrue(Long.parseLong(cluster.status(VICTIM).get("cluster.epoch")) > before.epoch(),
                        "a map for the new sessions");
                write(client, "after:", 100, WriteConcern.QUORUM, acked);

                List<String> lost = new ArrayList<>();
                for (Map.Entry<String, String> e : acked.entrySet()) {
                    Optional<earthwo.api.Record> r = client.get(Keys.utf8(e.getKey()));
                    if (r.isEmpty() || !e.getValue().equals(Keys.string(r.get().value()))) {
                        lost.add(e.getKey());
                    }
                }
                log("every acknowledged key read back: " + acked.size());
                assertEquals(List.of(), lost, lost.size() + " of " + acked.size() + " acknowledged keys lost");
            }
        }
    }

    @Test
    void aNodeThatNeverJoinedStopsWithinTenSecondsWhileWaitingForZooKeeper() throws Exception {
        Path data = root.resolve("fresh");
        NodeProcess node = new NodeProcess(data, NodeProcess.freePort());
        Files.createDirectories(data);
        NodeProcess.ProcessResult secret = node.earthwo("secret", data.resolve("cluster.secret").toString());
        assertEquals(0, secret.exitCode(), secret.output());
        String nowhere = "127.0.0.1:" + NodeProcess.freePort(); // no ZooKeeper listens there
        Path startOutput = root.resolve("start.out");
        ProcessBuilder pb = new ProcessBuilder(NodeProcess.distribution().resolve("bin/earthwo").toString(), "start",
                "--data", data.toString(), "--port", String.valueOf(node.port()), "--cluster", "neverjoined",
                "--zk", nowhere).redirectErrorStream(true).redirectOutput(startOutput.toFile());
        pb.environment().put("EARTHWO_DATA", data.toString());
        pb.environment().put("EARTHWO_START_TIMEOUT", "300");
        Process start = pb.start();
        try {
            // the cluster bundle is active and waiting for ZooKeeper (the node has no map to serve on)
            awaitLog(data, "no segment map kept", Duration.ofSeconds(90));
            assertTrue(node.isAlive());
            long t0 = System.nanoTime();
            NodeProcess.ProcessResult stop = node.earthwo("stop", "--data", data.toString());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            log("bin/earthwo stop of a node waiting for ZooKeeper took " + took.toMillis() + " ms: " + stop.output().strip());
            assertEquals(0, stop.exitCode(), stop.output());
            assertFalse(node.isAlive(), "the node is gone");
            assertTrue(took.compareTo(STOP_LIMIT) < 0, "bin/earthwo stop took " + took);
            assertFalse(stop.output().contains("killing it"), stop.output());
            assertTrue(start.waitFor(30, TimeUnit.SECONDS), "bin/earthwo start noticed the node stopped");
            assertTrue(start.exitValue() != 0, "the start did not succeed: " + Files.readString(startOutput));
        } finally {
            start.destroyForcibly();
            node.close();
        }
    }

    private static void write(KvClient client, String prefix, int n, WriteConcern concern, Map<String, String> acked) {
        WriteOptions options = WriteOptions.DEFAULT.withConcern(concern);
        for (int i = 0; i < n; i++) {
            String key = prefix + i;
            String value = "v-" + key;
            client.put(Keys.utf8(key), Keys.utf8(value), options);
            acked.put(key, value);
        }
    }

    private static void awaitLog(Path data, String text, Duration timeout) throws Exception {
        Path log = data.resolve("earthwo.log");
        Poll.until("'" + text + "' in " + log, timeout, () -> {
            try {
                return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** {@code cluster:status} on a node, through {@code bin/earthwo exec}. */
    private static String clusterStatus(LocalCluster cluster, int node) throws IOException, InterruptedException {
        NodeProcess.ProcessResult r = cluster.exec(node, "cluster:status --segment 0");
        assertEquals(0, r.exitCode(), "cluster:status on node " + (node + 1) + ": " + r.output());
        return r.output();
    }

    private static final long T0 = System.nanoTime();

    private static void log(String what) {
        System.out.printf("[ZooKeeperOutageRestartTest +%ds] %s%n", (System.nanoTime() - T0) / 1_000_000_000L, what);
    }
}

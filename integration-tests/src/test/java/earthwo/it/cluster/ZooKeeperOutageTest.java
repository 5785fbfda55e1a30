package earthwo.it.cluster;

import earthwo.api.Keys;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.cluster.SegmentMap;
import earthwo.client.EarthwoClients;
import earthwo.it.NodeProcess;
import earthwo.it.RawConnection;
import earthwo.api.protocol.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ZooKeeper stopped for a minute under load. Three node processes and a standalone
 * ZooKeeper ({@code bin/earthwo zk start|stop}), continuous writes at W=quorum and reads:
 * <ul>
 * <li>during the outage no read or write fails (the data plane serves on the last map) and
 * {@code cluster:status} on every node says ZooKeeper is disconnected;</li>
 * <li>when ZooKeeper returns (same port, same data) every node reconnects: status connected, a
 * controller known, the map readable with at least the epoch of before; writes continue;</li>
 * <li>the outage is far longer than the session timeout (10 s), so every session is lost (each
 * node logs it) and the nodes register again (afterwards no node is listed as down); the grace period holds the map: every segment keeps its replica set and
 * no node log reports a grace expiry (no data moved);</li>
 * <li>without a session no node acts as master ({@code cluster:status} says its master duties are
 * fenced); after the sessions were re-established the controller writes a map for the new
 * sessions (a higher epoch) and every node is re-elected (status {@code cluster.fenced=false});</li>
 * <li>every acknowledged key is readable at the end.</li>
 * </ul>
 */
class ZooKeeperOutageTest {

    /** How long ZooKeeper stays down: the minute of the issue. */
    static final Duration OUTAGE = Duration.ofSeconds(60);

    private static final Pattern CONTROLLER = Pattern.compile("controller (\\d+), epoch (\\d+)");

    @TempDir
    Path root;

    @Test
    void zooKeeperDownForAMinuteUnderLoadFailsNothingAndControlResumes() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "zkout").startZooKeeper().startNodes(3)) {
            SegmentMap before = cluster.awaitMap(0, m -> m.nodes().size() == 3 && LocalCluster.everySegmentHas(m, 3),
                    Duration.ofSeconds(60), "3 nodes and 3 replicas of every segment");
            for (int i = 1; i < 3; i++) {
                cluster.awaitMap(i, m -> m.epoch() == before.epoch(), Duration.ofSeconds(30), "node " + i
                        + " at epoch " + before.epoch());
            }
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(10)))) {
                LoadGenerator load = new LoadGenerator(client, "zk:", WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM));
                int ackedBeforeOutage;
                int ackedDuringOutage;
                try {
                    load.awaitAcked(1_000, 60_000);

                    cluster.stopZooKeeper();
                    log("ZooKeeper stopped with " + load.acked.size() + " writes acknowledged");
                    long outageEnd = System.nanoTime() + OUTAGE.toNanos();
                    ackedBeforeOutage = load.acked.size();
                    for (int i = 0; i < 3; i++) {
                        awaitStatus(cluster, i, s -> s.contains("ZooKeeper disconnected"), Duration.ofSeconds(30),
                                "ZooKeeper disconnected");
                    }
                    while (System.nanoTime() < outageEnd) {
                        load.awaitAcked(load.acked.size() + 200, 30_000);
                        Thread.sleep(1_000);
                    }
                    for (int i = 0; i < 3; i++) {
                        String s = status(cluster, i);
                        assertTrue(s.contains("ZooKeeper disconnected"), "node " + (i + 1)
                                + " at the end of the outage:\n" + s);
                        assertTrue(s.contains("master duties FENCED"), "node " + (i + 1)
                                + " acts as master without a ZooKeeper session:\n" + s);
                        assertEquals(before.epoch(), cluster.map(i).epoch(), "the map changed without ZooKeeper");
                    }
                    ackedDuringOutage = load.acked.size() - ackedBeforeOutage;
                    assertEquals(0, load.writeFailures.get(), "writes failed while ZooKeeper was down: "
                            + load.failureSamples);
                    assertEquals(0, load.readFailures.get(), "reads failed while ZooKeeper was down: "
                            + load.failureSamples);

                    cluster.startZooKeeper();
                    log("ZooKeeper started again; " + ackedDuringOutage + " writes acknowledged during the outage");
                    for (int i = 0; i < 3; i++) {
                        String s = awaitStatus(cluster, i, st -> st.contains("ZooKeeper connected")
                                && CONTROLLER.matcher(st).find(), Duration.ofSeconds(60),
                                "ZooKeeper connected and a controller elected");
                        Matcher m = CONTROLLER.matcher(s);
                        assertTrue(m.find());
                        assertTrue(Long.parseLong(m.group(2)) >= before.epoch(), s);
                    }
                    // The old sessions expired (the outage is six session timeouts): the server
                    // drops their ephemeral registrations about one session timeout after it
                    // restarted, and the nodes register again with their new sessions. Keep the
                    // load running across that.
                    long settle = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (System.nanoTime() < settle) {
                        load.awaitAcked(load.acked.size() + 200, 30_000);
                        Thread.sleep(1_000);
                    }
                } finally {
                    load.close();
                }
                log("load stopped: " + load.acked.size() + " writes acknowledged, " + load.reads.get() + " reads");
                assertTrue(ackedDuringOutage > 0, "no write acknowledged while ZooKeeper was down");
                assertEquals(0, load.writeFailures.get(), "writes failed: " + load.failureSamples);
                assertEquals(0, load.readFailures.get(), "reads failed: " + load.failureSamples);
                assertTrue(load.reads.get() > 0);

                // Control resumed: every node registered again (no node is listed as down) and
                // sees the same map, which holds every segment's replica set of before.
                for (int i = 0; i < 3; i++) {
                    cluster.awaitStatus(i, "cluster.down", "[]", Duration.ofSeconds(60));
                    cluster.awaitStatus(i, "cluster.connected", "true", Duration.ofSeconds(10));
                    cluster.awaitStatus(i, "cluster.fenced", "false", Duration.ofSeconds(60)); // re-elected
                }
                SegmentMap after = cluster.awaitMap(0, m -> m.nodes().size() == 3 && m.epoch() >= before.epoch(),
                        Duration.ofSeconds(30), "3 nodes after the outage");
                for (int i = 1; i < 3; i++) {
                    long epoch = after.epoch();
                    cluster.awaitMap(i, m -> m.epoch() >= epoch, Duration.ofSeconds(30), "node " + (i + 1)
                            + " at epoch " + epoch);
                }
                after = cluster.map(0);
                assertTrue(after.epoch() > before.epoch(), "a map for the new sessions was written");
                for (int s = 0; s < before.segmentCount(); s++) {
                    assertEquals(new HashSet<>(before.replicas(s)), new HashSet<>(after.replicas(s)),
                            "segment " + s + " changed replicas: data moved after the ZooKeeper outage");
                }
                for (int i = 0; i < 3; i++) {
                    String log = Files.readString(cluster.node(i).dataDir().resolve("earthwo.log"));
                    assertTrue(!log.contains("its replicas move"), "node " + (i + 1)
                            + " let a grace period expire (data moved):\n" + grep(log, "its replicas move"));
                    assertTrue(log.contains("ZooKeeper session lost"), "node " + (i + 1)
                            + " did not report its session as lost:\n" + grep(log, "ZooKeeper"));
                }

                log("map after the outage: epoch " + after.epoch() + ", before " + before.epoch());
                // Every acknowledged key, read back pipelined (128 in flight).
                AtomicInteger lost = new AtomicInteger();
                List<String> samples = new CopyOnWriteArrayList<>();
                Semaphore inFlight = new Semaphore(128);
                for (Map.Entry<String, String> e : load.acked.entrySet()) {
                    inFlight.acquire();
                    client.getAsync(Keys.utf8(e.getKey())).whenComplete((r, err) -> {
                        if (err != null || r.isEmpty() || !e.getValue().equals(Keys.string(r.get().value()))) {
                            lost.incrementAndGet();
                            if (samples.size() < 5) {
                                samples.add(e.getKey() + (err != null ? ": " + err : r.isEmpty() ? ": absent" : ": other value"));
                            }
                        }
                        inFlight.release();
                    });
                }
                inFlight.acquire(128);
                log("every acknowledged key read back");
                assertEquals(0, lost.get(), lost + " of " + load.acked.size() + " acknowledged writes lost, e.g. " + samples);
            }
        }
    }

    private static String grep(String log, String what) {
        StringBuilder sb = new StringBuilder();
        log.lines().filter(l -> l.contains(what)).limit(10).forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    private static final long T0 = System.nanoTime();

    private static void log(String what) {
        System.out.printf("[ZooKeeperOutageTest +%ds] %s%n", (System.nanoTime() - T0) / 1_000_000_000L, what);
    }

    /** The first line of {@code cluster:status} on a node, through {@code bin/earthwo exec}. */
    private static String status(LocalCluster cluster, int node) throws IOException, InterruptedException {
        NodeProcess.ProcessResult r = cluster.exec(node, "cluster:status --segment 0");
        if (r.exitCode() != 0) {
            throw new IllegalStateException("cluster:status on node " + (node + 1) + " failed: " + r.output());
        }
        return r.output();
    }

    private static String awaitStatus(LocalCluster cluster, int node, java.util.function.Predicate<String> condition,
            Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = status(cluster, node);
                if (condition.test(last)) {
                    return last;
                }
            } catch (IllegalStateException e) {
                last = e.getMessage();
            }
            Thread.sleep(500);
        }
        fail("node " + (node + 1) + ": timed out waiting for " + what + "; last status:\n" + last);
        return last;
    }
}

package earthwo.it.cluster;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Segments;
import earthwo.api.WriteConcern;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.it.NodeProcess;
import earthwo.it.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A partition between nodes, injected in the node-to-node transport
 * ({@code links:block} on each side: only outgoing peer calls are blocked, so a partition blocks
 * both directions). Three nodes, R=3 (every node holds every segment), ZooKeeper reachable by all
 * (the map does not change; this is a data-plane partition). Node 3 is cut off from nodes 1
 * and 2; each side accepts writes at W=1 through a direct connection; one key is written on both
 * sides, the later write on nodes 1's side. After healing, with policy {@code merge} (the
 * default): every node's own store holds every key written on either side ({@code
 * storage.records} equal on all nodes), every node serves the value written last for every key,
 * and the hint replay / anti-entropy logs count what they repaired. With policy {@code master}:
 * every replica ends equal to the master (same record count, same value for every key), and a
 * key written on its master's side keeps its value.
 *
 * <p>Observed with {@code master}: in every run so far all keys written on the side away from
 * their segment's master survived as well (e.g. 73 and 74 of 74). The coordinator of such a
 * write stored a durable hint for the unreachable master and replays it as soon as the link
 * heals, which is before (or while) anti-entropy aligns the replicas to the master, so the
 * master's copy already holds them. {@code master} therefore overwrites only what the master
 * holds newer, not what it merely missed during the partition. For the doubly written key the
 * later write (on nodes 1's side) ended on every node, whichever side held the master.
 */
class PartitionTest {

    private static final int SIDE_A_KEYS = 100;
    private static final int SIDE_B_KEYS = 60;
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    Path root;

    @Test
    void mergeAfterPartitionLosesNoWriteAndTheLaterWriteWins() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "partition").startZooKeeper()
                .startNodes(3, "-Dearthwo.antientropy.interval.ms=2000")) {
            int[] ids = nodeIds(cluster);
            Map<String, String> expected = partitionWriteAndHeal(cluster, ids);
            long total = expected.size();
            for (int i = 0; i < 3; i++) {
                awaitRecords(cluster, i, total, CONVERGE);
            }
            for (int i = 0; i < 3; i++) {
                List<String> wrong = new ArrayList<>();
                try (RawConnection c = new RawConnection(cluster.node(i).address())) {
                    for (Map.Entry<String, String> e : expected.entrySet()) {
                        String v = get(c, e.getKey());
                        if (!e.getValue().equals(v)) {
                            wrong.add(e.getKey() + "=" + v);
                        }
                    }
                }
                assertTrue(wrong.isEmpty(), "node " + (i + 1) + " after healing: " + wrong);
            }
            // Every reconciliation is logged with its counts: the keys of the other side came by
            // hint replay and/or anti-entropy repair.
            long reconciled = 0;
            for (int i = 0; i < 3; i++) {
                reconciled += Files.readAllLines(cluster.node(i).dataDir().resolve("earthwo.log")).stream()
                        .filter(l -> l.contains("anti-entropy node") && l.contains("repaired (pulled)")
                                || l.matches(".* replayed [1-9][0-9]* hints to node .*"))
                        .count();
            }
            assertTrue(reconciled > 0, "no anti-entropy repair or hint replay was logged");
            for (int i = 0; i < 3; i++) {
                String log = Files.readString(cluster.node(i).dataDir().resolve("earthwo.log"));
                assertTrue(log.contains("is now BLOCKED") && log.contains("is unblocked"),
                        "node " + (i + 1) + " logs the block and the unblock");
            }
        }
    }

    /**
     * Policy {@code master}: after healing, every replica of a segment takes the master's copy.
     * Asserted: the three stores converge to the same record count (stable over two anti-entropy
     * intervals), every node serves the same value (or absence) for every key written, and a key
     * written on the side that holds its segment's master keeps its value. Keys written on the
     * other side may survive too: the coordinator's durable hints reach the master when the
     * links heal, possibly before anti-entropy aligns the replicas to it (printed, not asserted).
     */
    @Test
    void masterPolicyLeavesEveryReplicaEqualToTheMastersCopy() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "partition-master").startZooKeeper()
                .startNodes(3, "-Dearthwo.antientropy.interval.ms=2000")) {
            int[] ids = nodeIds(cluster);
            exec(cluster, 0, "cluster:policy master");
            for (int i = 0; i < 3; i++) {
                cluster.awaitStatus(i, "cluster.policy", "master", Duration.ofSeconds(30));
            }
            SegmentMap map = cluster.map(0);
            Map<String, String> written = partitionWriteAndHeal(cluster, ids);

            long deadline = System.nanoTime() + CONVERGE.toNanos();
            long[] last = null;
            boolean stable = false;
            while (System.nanoTime() < deadline && !stable) {
                long[] now = {records(cluster, 0), records(cluster, 1), records(cluster, 2)};
                stable = now[0] >= 0 && now[0] == now[1] && now[1] == now[2] && java.util.Arrays.equals(now, last);
                last = now;
                if (!stable) {
                    Thread.sleep(5_000);
                }
            }
            assertTrue(stable, "the replicas did not converge: records " + java.util.Arrays.toString(last));

            Set<Integer> sideA = Set.of(ids[0], ids[1]);
            int survivedOther = 0;
            int droppedOther = 0;
            List<String> wrong = new ArrayList<>();
            try (RawConnection c1 = new RawConnection(cluster.node(0).address());
                 RawConnection c2 = new RawConnection(cluster.node(1).address());
                 RawConnection c3 = new RawConnection(cluster.node(2).address())) {
                for (Map.Entry<String, String> e : written.entrySet()) {
                    String key = e.getKey();
                    String v1 = get(c1, key);
                    String v2 = get(c2, key);
                    String v3 = get(c3, key);
                    if (!Objects.equals(v1, v2) || !Objects.equals(v2, v3)) {
                        wrong.add(key + ": " + v1 + " / " + v2 + " / " + v3);
                        continue;
                    }
                    if (key.equals("both")) {
                        System.out.println("[PartitionTest master] 'both' (master node "
                                + map.master(Segments.segmentOf(Keys.utf8(key), map.segmentCount())) + ") ends as " + v1);
                        continue;
                    }
                    int master = map.master(Segments.segmentOf(Keys.utf8(key), map.segmentCount()));
                    boolean writtenOnMasterSide = key.startsWith("a:") == sideA.contains(master);
                    if (writtenOnMasterSide) {
                        if (!e.getValue().equals(v1)) {
                            wrong.add(key + " (written on its master's side) = " + v1);
                        }
                    } else if (e.getValue().equals(v1)) {
                        survivedOther++;
                    } else {
                        droppedOther++;
                    }
                }
            }
            assertTrue(wrong.isEmpty(), "after healing with policy master: " + wrong);
            System.out.println("[PartitionTest master] records " + java.util.Arrays.toString(last)
                    + "; keys written away from their master: " + survivedOther + " survived, " + droppedOther
                    + " replaced by the master's copy");
        }
    }

    /** The node id of each of the three nodes, once all three see the full map. */
    private static int[] nodeIds(LocalCluster cluster) throws Exception {
        cluster.awaitMap(0, m -> m.nodes().size() == 3 && LocalCluster.everySegmentHas(m, 3),
                Duration.ofSeconds(60), "3 nodes and 3 replicas of every segment");
        int[] ids = new int[3];
        for (int i = 0; i < 3; i++) {
            long epoch = cluster.map(0).epoch();
            cluster.awaitMap(i, m -> m.epoch() >= epoch && LocalCluster.everySegmentHas(m, 3),
                    Duration.ofSeconds(30), "node " + (i + 1) + " at epoch " + epoch);
            ids[i] = Integer.parseInt(status(cluster, i).get("cluster.node"));
        }
        return ids;
    }

    /**
     * Cuts node 3 off from nodes 1 and 2, writes at W=1 on each side ({@code a:*} through node 1,
     * {@code b:*} through node 3, {@code both} first on node 3 then on node 1), checks that the
     * partition held, and heals it. Returns each key with the value written last.
     */
    private static Map<String, String> partitionWriteAndHeal(LocalCluster cluster, int[] ids) throws Exception {
        // Partition: node 3 | nodes 1, 2 (each side blocks its outgoing calls to the other).
        exec(cluster, 0, "links:block " + ids[2]);
        exec(cluster, 1, "links:block " + ids[2]);
        exec(cluster, 2, "links:block " + ids[0] + " " + ids[1]);
        assertTrue(exec(cluster, 2, "links:blocked").contains(String.valueOf(ids[0])));

        Map<String, String> expected = new LinkedHashMap<>();
        try (RawConnection a = new RawConnection(cluster.node(0).address());
             RawConnection b = new RawConnection(cluster.node(2).address())) {
            put(b, "both", "side-B-first");
            for (int i = 0; i < SIDE_A_KEYS; i++) {
                put(a, "a:" + i, "A" + i);
                expected.put("a:" + i, "A" + i);
            }
            for (int i = 0; i < SIDE_B_KEYS; i++) {
                put(b, "b:" + i, "B" + i);
                expected.put("b:" + i, "B" + i);
            }
            Thread.sleep(50);
            put(a, "both", "side-A-later");
            expected.put("both", "side-A-later");
        }
        // The partition holds: node 3 has only its side's keys, nodes 1 and 2 only theirs
        // (anti-entropy runs every 2 s but cannot cross).
        Thread.sleep(3_000);
        awaitRecords(cluster, 1, SIDE_A_KEYS + 1, Duration.ofSeconds(10));
        assertEquals(SIDE_A_KEYS + 1, records(cluster, 0), "node 1 during the partition");
        assertEquals(SIDE_B_KEYS + 1, records(cluster, 2), "node 3 during the partition");

        // Heal.
        for (int i = 0; i < 3; i++) {
            exec(cluster, i, "links:unblock");
            assertTrue(exec(cluster, i, "links:blocked").contains("(none)"));
        }
        return expected;
    }

    private static void put(RawConnection c, String key, String value) throws IOException {
        Response r = c.call(Request.put(1, Keys.utf8(key), Keys.utf8(value), Record.NEVER, WriteConcern.ONE));
        if (r.isError()) {
            throw new AssertionError("put " + key + " at W=1 failed: " + r.toException());
        }
    }

    private static String get(RawConnection c, String key) throws IOException {
        Response r = c.call(Request.get(1, Keys.utf8(key)));
        if (r.isError()) {
            return "error " + r.toException();
        }
        Record rec = r.record();
        return rec == null ? null : Keys.string(rec.value());
    }

    private static Map<String, String> status(LocalCluster cluster, int node) throws IOException {
        return cluster.status(node);
    }

    /** The record count a node's own store reports (storage.records). */
    private static long records(LocalCluster cluster, int node) {
        try {
            return Long.parseLong(status(cluster, node).getOrDefault("storage.records", "-1"));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void awaitRecords(LocalCluster cluster, int node, long expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long held = -1;
        while (System.nanoTime() < deadline) {
            held = records(cluster, node);
            if (held == expected) {
                return;
            }
            Thread.sleep(250);
        }
        fail("node " + (node + 1) + " holds " + held + " records, expected " + expected + " within " + timeout
                + "\n" + cluster.node(node).logTail());
    }

    private static String exec(LocalCluster cluster, int node, String command) throws Exception {
        NodeProcess.ProcessResult r = cluster.exec(node, command);
        if (r.exitCode() != 0) {
            throw new AssertionError(command + " on node " + (node + 1) + " failed: " + r.output());
        }
        return r.output();
    }
}

package earthwo.it.cluster;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Segments;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.client.EarthwoClients;
import earthwo.it.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "a node that stays down past the grace period: its replicas are re-created elsewhere;
 * a new node joining takes about S·R/N replicas and master roles, streamed while writes
 * continue". Separate node processes and a standalone ZooKeeper, all through bin/earthwo.
 *
 * <p>Whether a replica holds its data is read from its own store's record count
 * ({@code storage.records} of node status), compared with what the node must hold: the
 * acknowledged keys of the segments the map gives it. A GET cannot show this, as a replica that
 * misses a key asks the others (read repair).
 */
class MembershipTest {

    /** Fewer segments than the default 256 keep the test fast; every node must use the same S. */
    private static final int S = 64;
    private static final int R = 3;
    private static final long GRACE_MS = 5_000;
    private static final String[] OPTIONS = {"-Dearthwo.segments=" + S, "-Dearthwo.cluster.grace.ms=" + GRACE_MS};

    @TempDir
    Path root;

    @Test
    void aNodeDownPastTheGraceHasItsReplicasRecreatedElsewhere() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "grace").startZooKeeper().startNodes(4, OPTIONS)) {
            SegmentMap before = cluster.awaitMap(0, m -> m.nodes().size() == 4 && LocalCluster.everySegmentHas(m, R),
                    Duration.ofSeconds(60), "4 nodes and " + R + " replicas of every segment");
            assertEquals(S, before.segmentCount());
            int victim = nodeIdOf(cluster, 2);
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(15)))) {
                LoadGenerator load = new LoadGenerator(client, "grace:", WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM));
                long killedAt;
                long expiredAt;
                SegmentMap after;
                long aeBytesBefore = antiEntropyBytes(cluster, List.of(0, 1, 3));
                try {
                    load.awaitAcked(2_000, 60_000);
                    cluster.node(2).kill9();
                    killedAt = System.nanoTime();

                    // Within the grace: the dead node keeps its replicas; only master roles move.
                    SegmentMap suspended = cluster.awaitMap(0, m -> masters(m, victim) == 0, Duration.ofSeconds(60),
                            "node " + victim + " to lose its master roles");
                    if (suspended.nodes().containsKey(victim)) { // still inside the grace
                        for (int s = 0; s < S; s++) {
                            assertEquals(new HashSet<>(before.replicas(s)), new HashSet<>(suspended.replicas(s)),
                                    "segment " + s + " changed replicas inside the grace period");
                        }
                    }
                    load.awaitAcked(load.acked.size() + 1_000, 60_000);

                    // After the grace: R replicas of every segment again, none on the dead node.
                    after = cluster.awaitMap(0, m -> !m.nodes().containsKey(victim) && m.segmentsOf(victim).isEmpty()
                            && LocalCluster.everySegmentHas(m, R), Duration.ofSeconds(90),
                            "the replicas of node " + victim + " to be re-created elsewhere");
                    expiredAt = System.nanoTime();
                    for (int s = 0; s < S; s++) {
                        Set<Integer> added = new HashSet<>(after.replicas(s));
                        added.removeAll(before.replicas(s));
                        assertTrue(before.replicas(s).contains(victim) ? added.size() == 1 : added.isEmpty(),
                                "segment " + s + ": " + before.replicas(s) + " -> " + after.replicas(s));
                    }
                    load.awaitAcked(load.acked.size() + 2_000, 60_000); // writes continue on the new map
                } finally {
                    load.close();
                }
                long stoppedAt = System.nanoTime();
                assertEquals(0, load.writeFailures.get(), "writes failed: " + load.failureSamples);
                assertEquals(0, load.readFailures.get(), "reads failed: " + load.failureSamples);
                assertTrue(load.reads.get() > 0);

                // Every replica of every segment holds the segment's acknowledged keys.
                List<Integer> survivors = List.of(0, 1, 3);
                long replicated = awaitStored(cluster, after, survivors, load.acked.keySet(), Duration.ofSeconds(120));
                long aeBytes = antiEntropyBytes(cluster, survivors) - aeBytesBefore;
                assertAllReadable(client, load.acked);
                System.out.printf("MembershipTest grace: S=%d R=%d, %d keys acked; kill -9 -> map without node %d: %d ms "
                                + "(ZooKeeper session + %d ms grace); map -> load stopped: %d ms; map -> every "
                                + "replica holds its data: %d ms; anti-entropy bytes sent+received by the survivors: %d%n",
                        S, R, load.acked.size(), victim, (expiredAt - killedAt) / 1_000_000, GRACE_MS,
                        (stoppedAt - expiredAt) / 1_000_000, (replicated - expiredAt) / 1_000_000, aeBytes);
            }
        }
    }

    @Test
    void aJoiningNodeTakesItsShareOfReplicasAndMastersWhileWritesContinue() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "join").startZooKeeper().startNodes(3, OPTIONS)) {
            SegmentMap before = cluster.awaitMap(0, m -> m.nodes().size() == 3 && LocalCluster.everySegmentHas(m, R),
                    Duration.ofSeconds(60), "3 nodes and " + R + " replicas of every segment");
            int floor = S * R / 4;
            int ceil = (S * R + 3) / 4;
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(15)))) {
                LoadGenerator load = new LoadGenerator(client, "join:", WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM));
                long joinedAt;
                long mappedAt;
                SegmentMap after;
                int newId;
                long aeBytesBefore = antiEntropyBytes(cluster, List.of(0, 1, 2));
                try {
                    load.awaitAcked(3_000, 60_000);
                    joinedAt = System.nanoTime();
                    cluster.startNodes(1, OPTIONS);
                    newId = nodeIdOf(cluster, 3);
                    after = cluster.awaitMap(0, m -> m.nodes().size() == 4 && m.segmentsOf(newId).size() >= floor
                            && LocalCluster.everySegmentHas(m, R), Duration.ofSeconds(60),
                            "node " + newId + " to join and take its replicas");
                    mappedAt = System.nanoTime();
                    load.awaitAcked(load.acked.size() + 2_000, 60_000); // writes continue while data streams
                } finally {
                    load.close();
                }
                long stoppedAt = System.nanoTime();
                assertEquals(0, load.writeFailures.get(), "writes failed: " + load.failureSamples);
                assertEquals(0, load.readFailures.get(), "reads failed: " + load.failureSamples);
                assertTrue(load.reads.get() > 0);

                // About S·R/N replicas and some master roles, and nothing else moved.
                int taken = after.segmentsOf(newId).size();
                assertTrue(taken >= floor && taken <= ceil, "the new node holds " + taken + " replicas, expected "
                        + floor + ".." + ceil);
                int moved = 0;
                for (int s = 0; s < S; s++) {
                    Set<Integer> added = new HashSet<>(after.replicas(s));
                    added.removeAll(before.replicas(s));
                    moved += added.size();
                    assertTrue(added.isEmpty() || added.equals(Set.of(newId)), "segment " + s + ": " + before.replicas(s)
                            + " -> " + after.replicas(s) + " (a replica moved between old nodes)");
                }
                assertTrue(moved <= ceil, moved + " segment replicas moved, at most " + ceil + " needed");
                int mastered = masters(after, newId);
                assertTrue(mastered >= S / 4 - 1 && mastered <= S / 4 + 1, "the new node masters " + mastered
                        + " segments, about " + S / 4 + " expected");

                // The new node's store holds every acknowledged key of its segments.
                long streamed = awaitStored(cluster, after, List.of(3), load.acked.keySet(), Duration.ofSeconds(120));
                long aeBytes = antiEntropyBytes(cluster, List.of(0, 1, 2, 3)) - aeBytesBefore;
                // The old nodes keep every key of the segments they still hold.
                awaitStored(cluster, after, List.of(0, 1, 2), load.acked.keySet(), Duration.ofSeconds(30));
                assertAllReadable(client, load.acked);
                System.out.printf("MembershipTest join: S=%d R=%d, %d keys acked; node %d joined with %d replicas and "
                                + "%d masters, %d replicas moved; bin/earthwo start -> map with the node: %d ms; map -> "
                                + "load stopped: %d ms; map -> its store holds its %d keys: %d ms; anti-entropy bytes "
                                + "sent+received: %d%n",
                        S, R, load.acked.size(), newId, taken, mastered, moved, (mappedAt - joinedAt) / 1_000_000,
                        (stoppedAt - mappedAt) / 1_000_000, expected(after, newId, load.acked.keySet()),
                        (streamed - mappedAt) / 1_000_000, aeBytes);
            }
        }
    }

    /** Every acknowledged key reads back with its value (through the client, which may fail over). */
    private static void assertAllReadable(KvClient client, Map<String, String> acked) {
        int lost = 0;
        List<String> samples = new ArrayList<>();
        for (Map.Entry<String, String> e : acked.entrySet()) {
            Optional<Record> r = client.get(Keys.utf8(e.getKey()));
            if (r.isEmpty() || !e.getValue().equals(Keys.string(r.get().value()))) {
                lost++;
                if (samples.size() < 5) {
                    samples.add(e.getKey());
                }
            }
        }
        assertEquals(0, lost, lost + " of " + acked.size() + " acknowledged writes not readable, e.g. " + samples);
    }

    /**
     * Polls until each of {@code nodes} stores at least the acknowledged keys the map gives it,
     * and the nodes that hold every segment store the same number of records (a write that was
     * not acknowledged may still have landed somewhere; anti-entropy must then copy it to every
     * replica). Nodes that gave segments away keep those records, so for them "at least" is all
     * that can be checked. Returns when it held.
     */
    private static long awaitStored(LocalCluster cluster, SegmentMap map, List<Integer> nodes, Set<String> keys,
                                    Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, Long> want = new java.util.TreeMap<>();
        for (int i : nodes) {
            want.put(i, expected(map, nodeIdOf(cluster, i), keys));
        }
        Map<Integer, Long> held = new java.util.TreeMap<>();
        while (true) {
            boolean ok = true;
            Set<Long> fullHolders = new HashSet<>();
            for (int i : nodes) {
                long h = storedRecords(cluster, i);
                held.put(i, h);
                ok &= h >= want.get(i);
                if (map.segmentsOf(nodeIdOf(cluster, i)).size() == S) {
                    fullHolders.add(h);
                }
            }
            ok &= fullHolders.size() <= 1;
            if (ok) {
                return System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("stores did not converge: node index -> records held " + held + ", expected "
                        + want);
            }
            Thread.sleep(250);
        }
    }

    /** The acknowledged keys that fall into the segments {@code nodeId} holds in the map. */
    private static long expected(SegmentMap map, int nodeId, Set<String> keys) {
        Set<Integer> held = new HashSet<>(map.segmentsOf(nodeId));
        long n = 0;
        for (String k : keys) {
            if (held.contains(Segments.segmentOf(k.getBytes(StandardCharsets.UTF_8), map.segmentCount()))) {
                n++;
            }
        }
        return n;
    }

    private static int masters(SegmentMap m, int nodeId) {
        int n = 0;
        for (int s = 0; s < m.segmentCount(); s++) {
            if (m.master(s) == nodeId) {
                n++;
            }
        }
        return n;
    }

    /** A node's id in the map, read from its status. */
    private static int nodeIdOf(LocalCluster cluster, int index) throws Exception {
        String id = status(cluster, index).get("cluster.node");
        if (id == null) {
            throw new AssertionError("no cluster.node in the status of node " + index + ": " + status(cluster, index));
        }
        return Integer.parseInt(id);
    }

    private static Map<String, String> status(LocalCluster cluster, int index) throws Exception {
        return cluster.status(index);
    }

    private static long storedRecords(LocalCluster cluster, int index) {
        return cluster.storedRecords(index);
    }

    private static long antiEntropyBytes(LocalCluster cluster, List<Integer> nodes) throws Exception {
        long sum = 0;
        for (int i : nodes) {
            Map<String, String> s = status(cluster, i);
            sum += Long.parseLong(s.getOrDefault("antientropy.bytes.sent", "0"))
                    + Long.parseLong(s.getOrDefault("antientropy.bytes.received", "0"));
        }
        return sum;
    }
}

package earthwo.it.cluster;

import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.protocol.Request;
import earthwo.client.EarthwoClients;
import earthwo.it.NodeProcess;
import earthwo.it.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "{@code cluster:replicas 3} changes the replica count at runtime; segments gain or lose
 * replicas one by one while traffic continues", and DESIGN §5: a new replica syncs first and
 * serves after anti-entropy found it caught up. Three node processes, R raised from 2 to 3 with
 * {@code bin/earthwo exec} under continuous quorum writes and reads, then lowered back.
 */
class ReplicaCountTest {

    private static final int S = 64;
    private static final int MAX_SYNCING = 8;
    /** How long a node keeps a segment it no longer holds before removing its records. */
    private static final long DROP_DELAY_MS = 3_000;
    private static final String[] OPTIONS = {"-Dearthwo.segments=" + S, "-Dearthwo.cluster.replicas=2",
            "-Dearthwo.cluster.max.syncing=" + MAX_SYNCING, "-Dearthwo.replica.drop.delay.ms=" + DROP_DELAY_MS};
    /** Writes in flight when the load stopped (LoadGenerator keeps 32) may have landed unacknowledged, on 3 copies at most. */
    private static final long UNACKED_SLACK = 3 * 32;

    @TempDir
    Path root;

    @Test
    void raisingAndLoweringRMovesSegmentsAFewAtATimeWhileTrafficContinues() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "replicas").startZooKeeper().startNodes(3, OPTIONS)) {
            cluster.awaitMap(0, m -> m.nodes().size() == 3 && LocalCluster.everySegmentHas(m, 2)
                    && m.allSyncing().isEmpty(), Duration.ofSeconds(60), "3 nodes and 2 replicas of every segment");
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(15)))) {
                LoadGenerator load = new LoadGenerator(client, "r:", WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM));
                List<SegmentMap> seen = new ArrayList<>();
                long raisedAt;
                long settledAt;
                long loweredMs;
                try {
                    load.awaitAcked(2_000, 60_000);
                    NodeProcess.ProcessResult r = cluster.exec(1, "cluster:replicas 3");
                    assertEquals(0, r.exitCode(), r.output());
                    raisedAt = System.nanoTime();
                    SegmentMap done = watch(cluster, seen, m -> LocalCluster.everySegmentHas(m, 3)
                            && m.allSyncing().isEmpty(), Duration.ofSeconds(120), "3 serving replicas of every segment");
                    settledAt = System.nanoTime();
                    assertEquals(3, done.replicationFactor());
                    // With R=3 on 3 nodes every store holds every acknowledged key (the third copy
                    // of a quorum write may still be on its way: poll)
                    awaitEveryStoreHolds(cluster, load.acked.size(), Duration.ofSeconds(60));
                    load.awaitAcked(load.acked.size() + 1_000, 60_000);

                    r = cluster.exec(2, "cluster:replicas 2");
                    assertEquals(0, r.exitCode(), r.output());
                    long t = System.nanoTime();
                    watch(cluster, new ArrayList<>(), m -> m.replicationFactor() == 2 && LocalCluster.everySegmentHas(m, 2),
                            Duration.ofSeconds(60), "2 replicas of every segment again");
                    loweredMs = (System.nanoTime() - t) / 1_000_000;
                    load.awaitAcked(load.acked.size() + 1_000, 60_000);
                } finally {
                    load.close();
                }
                // The dropped replicas' records are removed after the delay: with R=2 each key is
                // stored twice, not three times (a few unacknowledged writes may have landed too).
                long keys = load.acked.size();
                long cleanStart = System.nanoTime();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                long stored;
                while ((stored = totalStored(cluster)) > 2 * keys + UNACKED_SLACK) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(stored + " records stored for " + keys + " keys with R=2");
                    }
                    Thread.sleep(200);
                }
                assertTrue(stored >= 2 * keys, stored + " records stored for " + keys + " acknowledged keys with R=2");
                long cleanMs = (System.nanoTime() - cleanStart) / 1_000_000;
                assertEquals(0, load.writeFailures.get(), "writes failed: " + load.failureSamples);
                assertEquals(0, load.readFailures.get(), "reads failed: " + load.failureSamples);

                // One by one: never more than MAX_SYNCING replicas catching up, over several maps;
                // a syncing replica is never master and is listed after the serving ones.
                int maxSyncing = 0;
                int mapsWithSyncing = 0;
                for (SegmentMap m : seen) {
                    int syncing = 0;
                    for (Map.Entry<Integer, Set<Integer>> e : m.allSyncing().entrySet()) {
                        syncing += e.getValue().size();
                        assertTrue(!e.getValue().contains(m.master(e.getKey())), "syncing master in " + m);
                        List<Integer> list = m.replicas(e.getKey());
                        assertTrue(e.getValue().contains(list.get(list.size() - 1)), "syncing replica not last in " + m);
                    }
                    maxSyncing = Math.max(maxSyncing, syncing);
                    mapsWithSyncing += syncing > 0 ? 1 : 0;
                }
                assertTrue(maxSyncing > 0 && maxSyncing <= MAX_SYNCING, "replicas syncing at once: " + maxSyncing);
                assertTrue(mapsWithSyncing >= 2, "segments gained replicas in " + mapsWithSyncing + " maps");

                System.out.printf("ReplicaCountTest: S=%d, %d keys acked; R 2 -> 3: %d replicas added through %d maps "
                                + "(at most %d syncing at once), all serving after %d ms; R 3 -> 2: %d ms, dropped copies removed "
                                + "%d ms after the load stopped (delay %d ms): %d records for %d keys%n", S,
                        load.acked.size(), S, mapsWithSyncing, maxSyncing, (settledAt - raisedAt) / 1_000_000, loweredMs,
                        cleanMs, DROP_DELAY_MS, stored, keys);
            }
        }
    }

    /** Polls node 0's map, keeping every distinct epoch seen, until the condition holds. */
    private static SegmentMap watch(LocalCluster cluster, List<SegmentMap> seen,
                                    java.util.function.Predicate<SegmentMap> condition, Duration timeout, String what)
            throws InterruptedException {
        return cluster.awaitMap(0, m -> {
            if (seen.isEmpty() || seen.get(seen.size() - 1).epoch() != m.epoch()) {
                seen.add(m);
            }
            return condition.test(m);
        }, timeout, what);
    }

    private static void awaitEveryStoreHolds(LocalCluster cluster, int keys, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < 3; i++) {
            long held;
            while ((held = storedRecords(cluster, i)) < keys) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("node " + i + " holds " + held + " records, " + keys + " keys acknowledged");
                }
                Thread.sleep(100);
            }
        }
    }

    private static long totalStored(LocalCluster cluster) throws Exception {
        long sum = 0;
        for (int i = 0; i < 3; i++) {
            sum += storedRecords(cluster, i);
        }
        return sum;
    }

    private static long storedRecords(LocalCluster cluster, int index) throws Exception {
        return cluster.storedRecords(index);
    }
}

package earthwo.it.cluster;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.client.EarthwoClients;
import earthwo.it.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill -9 of one node of three under continuous writes with R=3, W=2 loses no
 * acknowledged write, reads keep succeeding through failover, and the node catches up when it
 * returns. Three node processes and a standalone ZooKeeper, all through bin/earthwo.
 */
class ReplicaLossTest {

    @TempDir
    Path root;

    @Test
    void killOneOfThreeUnderWritesLosesNothingAndTheNodeCatchesUp() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "loss").startZooKeeper().startNodes(3)) {
            cluster.awaitMap(0, m -> m.nodes().size() == 3 && LocalCluster.everySegmentHas(m, 3),
                    Duration.ofSeconds(60), "3 nodes and 3 replicas of every segment");
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(10)))) {
                LoadGenerator load = new LoadGenerator(client, "loss:", WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM));
                try {
                    load.awaitAcked(3_000, 60_000);
                    cluster.node(2).kill9();
                    load.awaitAcked(load.acked.size() + 3_000, 60_000);
                } finally {
                    load.close();
                }
                assertEquals(0, load.writeFailures.get(), "writes failed with one of three replicas down: " + load.failureSamples);
                assertEquals(0, load.readFailures.get(), "reads failed during failover: " + load.failureSamples);
                assertTrue(load.reads.get() > 0);

                int lost = 0;
                for (Map.Entry<String, String> e : load.acked.entrySet()) {
                    Optional<Record> r = client.get(Keys.utf8(e.getKey()));
                    if (r.isEmpty() || !e.getValue().equals(Keys.string(r.get().value()))) {
                        lost++;
                    }
                }
                assertEquals(0, lost, lost + " of " + load.acked.size() + " acknowledged writes lost");

                // The node returns and catches up (hints, then anti-entropy) until its own store
                // holds as many records as a replica that never went down (every node holds every
                // segment at R=3, N=3; the test writes no deletes). Reads cannot show this: a
                // replica that misses a key asks the others.
                cluster.node(2).start("--cluster", "loss", "--zk", cluster.zkAddress());
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                long expected = load.acked.size();
                long held = -1;
                while (System.nanoTime() < deadline) {
                    held = storedRecords(cluster, 2);
                    if (held >= expected && held == storedRecords(cluster, 0)) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertTrue(held >= expected && held == storedRecords(cluster, 0), "the returning node holds " + held
                        + " records, the others " + storedRecords(cluster, 0) + " (" + expected + " acknowledged)");
            }
        }
    }

    /** The record count a node's own store reports (node:status storage.records). */
    private static long storedRecords(LocalCluster cluster, int node) {
        return cluster.storedRecords(node);
    }

}

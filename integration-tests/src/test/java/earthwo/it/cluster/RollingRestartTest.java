package earthwo.it.cluster;

import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.cluster.SegmentMap;
import earthwo.client.EarthwoClients;
import earthwo.it.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rolling restart of all nodes, one at a time, under load: no client operation fails
 * (the client may retry) and no segment data moves — every segment keeps its replica set,
 * because the grace period holds the map while a node restarts.
 */
class RollingRestartTest {

    @TempDir
    Path root;

    @Test
    void rollingRestartUnderLoadFailsNoOperationAndMovesNoData() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "rolling").startZooKeeper().startNodes(3)) {
            SegmentMap before = cluster.awaitMap(0, m -> m.nodes().size() == 3 && LocalCluster.everySegmentHas(m, 3),
                    Duration.ofSeconds(60), "3 nodes and 3 replicas of every segment");
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(15)))) {
                LoadGenerator load = new LoadGenerator(client, "roll:", WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM));
                try {
                    load.awaitAcked(1_000, 60_000);
                    for (int i = 0; i < 3; i++) {
                        NodeProcess n = cluster.node(i);
                        assertEquals(0, n.earthwo("stop", "--data", n.dataDir().toString()).exitCode());
                        load.awaitAcked(load.acked.size() + 500, 60_000);
                        n.start("--cluster", "rolling", "--zk", cluster.zkAddress());
                        load.awaitAcked(load.acked.size() + 500, 60_000);
                    }
                } finally {
                    load.close();
                }
                assertEquals(0, load.writeFailures.get(), "writes failed during the rolling restart: " + load.failureSamples);
                assertEquals(0, load.readFailures.get(), "reads failed during the rolling restart: " + load.failureSamples);
            }
            SegmentMap after = cluster.map(0);
            for (int s = 0; s < before.segmentCount(); s++) {
                Set<Integer> b = new HashSet<>(before.replicas(s));
                Set<Integer> a = new HashSet<>(after.replicas(s));
                assertEquals(b, a, "segment " + s + " changed replicas: data moved during a rolling restart");
            }
        }
    }
}

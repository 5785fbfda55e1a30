package earthwo.it.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.Keys;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.testing.Poll;
import earthwo.api.testing.TestCertificates;
import earthwo.client.EarthwoClients;
import earthwo.it.NodeProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes with TLS between them and towards their clients: writes at W=all cross the links
 * between nodes, a client with the authority's certificate reads and writes, one without it is
 * refused, and the command-line client of a local node finds the authority by itself.
 */
class TlsClusterTest {

    private static final int NODES = 3;

    @TempDir
    Path root;

    @Test
    void aTlsClusterServesClientsThatTrustItsAuthorityOnly() throws Exception {
        TestCertificates ca = TestCertificates.authority(root.resolve("certs"), "earthwo-test-ca");
        TestCertificates.NodeFiles node = ca.node("node");
        String[] tls = {"--tls-cert", node.cert().toString(), "--tls-key", node.key().toString(),
                "--tls-ca", node.ca().toString()};
        try (LocalCluster cluster = new LocalCluster(root, "tls")) {
            cluster.startZooKeeper().startNodes(NODES, tls);
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withTls(node.ca()).withRequestTimeout(Duration.ofSeconds(10)))) {
                awaitAllReplicas(cluster, client);
                for (int i = 0; i < 50; i++) {
                    client.put(Keys.utf8("tls:" + i), Keys.utf8("v" + i), WriteOptions.DEFAULT.withConcern(WriteConcern.ALL));
                }
                for (int i = 0; i < 50; i++) {
                    assertArrayEquals(Keys.utf8("v" + i), client.get(Keys.utf8("tls:" + i)).orElseThrow().value());
                }
            }
            for (int i = 0; i < NODES; i++) {
                NodeProcess.ProcessResult status = cluster.exec(i, "node:status");
                assertEquals(0, status.exitCode(), status.output());
                assertTrue(status.output().contains("kv.hints.pending = 0"), "node " + i + " reached every replica over TLS: "
                        + status.output());
            }

            EarthwoException refused = assertThrows(EarthwoException.class, () -> {
                try (KvClient plain = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                        .withRequestTimeout(Duration.ofSeconds(3)))) {
                    plain.get(Keys.utf8("tls:1"));
                }
            });
            assertTrue(refused.code().isRetryable() || refused.code() == earthwo.api.ErrorCode.BAD_REQUEST,
                    "a client without TLS gets no data: " + refused);

            TestCertificates other = TestCertificates.authority(root.resolve("other"), "someone-else");
            assertThrows(EarthwoException.class, () -> {
                try (KvClient wrong = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                        .withTls(other.ca()).withRequestTimeout(Duration.ofSeconds(3)))) {
                    wrong.get(Keys.utf8("tls:1"));
                }
            }, "a client trusting another authority does not talk to the nodes");

            NodeProcess first = cluster.node(0);
            NodeProcess.ProcessResult get = first.earthwo("--data", first.dataDir().toString(), "get", "tls:7");
            assertEquals(0, get.exitCode(), get.output());
            assertEquals("v7\n", get.output());
        }
    }

    /** W=all needs every node in every segment's replica list: wait until a W=all write succeeds with all three. */
    private static void awaitAllReplicas(LocalCluster cluster, KvClient client) throws Exception {
        Poll.until("the cluster formed with " + NODES + " replicas", Duration.ofSeconds(90), () -> {
            try {
                NodeProcess.ProcessResult status = cluster.exec(0, "cluster:status");
                if (status.exitCode() != 0 || !status.output().contains("nodes (" + NODES + ")")
                        || !status.output().contains("R=" + NODES)) {
                    return false;
                }
                client.put(Keys.utf8("tls:probe"), Keys.utf8("p"), WriteOptions.DEFAULT.withConcern(WriteConcern.ALL));
                return true;
            } catch (EarthwoException notYet) {
                return false; // replicas still syncing
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("bin/earthwo exec failed", e);
            }
        });
    }
}

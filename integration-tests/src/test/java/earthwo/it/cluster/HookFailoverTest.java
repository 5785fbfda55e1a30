package earthwo.it.cluster;

import earthwo.api.Keys;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.testing.Poll;
import earthwo.client.EarthwoClients;
import earthwo.it.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hooks in a cluster of three node processes (R=3, the outbox on, the example hook in every
 * node's deploy/): each event is delivered by the master of its segment only; the masters send
 * their positions to the replicas; after the master of a segment is killed with -9 the new
 * masters deliver what it had not, from the positions it sent, so every acknowledged change is
 * in some node's events.log and the old master's delivered events are not all delivered again.
 */
class HookFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int KEYS = 300;

    @TempDir
    Path root;

    /** A line of a node's events.log: the segment (from the event id), the key and the version. */
    private record Logged(int node, int segment, String id, String key, Version version) {
    }

    @Test
    void theNewMastersDeliverWhatADeadMasterHadNotFromItsPositions() throws Exception {
        Path deploy = Files.createDirectories(root.resolve("deploy"));
        Files.copy(Paths.get(System.getProperty("earthwo.example.hook.jar", "target/plugins/earthwo.example.hook.jar")),
                deploy.resolve("earthwo.example.hook.jar"));
        // One deploy/ for the three nodes (Felix takes felix.* system properties over its configuration).
        try (LocalCluster cluster = new LocalCluster(root, "hooks").startZooKeeper()
                .startNodes(3, "-Dearthwo.storage.outbox.enabled=true", "-Dfelix.fileinstall.dir=" + deploy)) {
            cluster.awaitEveryNodeHoldsEverySegment(3, Duration.ofSeconds(60));
            for (int i = 0; i < 3; i++) {
                int node = i;
                Poll.until("node " + i + ": the example hook active", WAIT, () -> hookActive(cluster, node));
            }
            SegmentMap before = cluster.map(0);
            Map<Integer, Integer> indexById = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                indexById.put(Integer.parseInt(cluster.status(i).get("cluster.node")), i);
            }
            Map<String, Version> acked = new HashMap<>();
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(10)))) {
                write(client, "before:", acked);
                Poll.until("every change before the kill delivered", WAIT, () -> missing(cluster, acked).isEmpty());
                for (Logged l : logged(cluster)) {
                    int master = indexById.get(before.master(l.segment()));
                    assertEquals(master, l.node(), "delivered by node " + l.node() + ", not the master of segment "
                            + l.segment() + ": " + l);
                }
                // The positions reached the replicas (sent every second).
                for (int i = 0; i < 3; i++) {
                    int node = i;
                    Poll.until("node " + i + " received positions", WAIT, () -> received(cluster, node) > 0);
                }

                int victim = indexById.get(before.master(0));
                Set<Integer> victimSegments = new TreeSet<>();
                for (int s = 0; s < before.segmentCount(); s++) {
                    if (indexById.get(before.master(s)) == victim) {
                        victimSegments.add(s);
                    }
                }
                long deliveredByVictim = logged(cluster).stream().filter(l -> l.node() == victim).count();
                cluster.node(victim).kill9();
                int survivor = (victim + 1) % 3;
                cluster.awaitMap(survivor, m -> victimSegments.stream().allMatch(s -> m.master(s) != before.master(s)),
                        WAIT, "new masters for the segments of node " + victim);

                write(client, "after:", acked);
                Poll.until("every change delivered after the failover", WAIT, () -> missing(cluster, acked).isEmpty());

                List<Logged> all = logged(cluster);
                Map<String, Integer> byId = new HashMap<>();
                all.forEach(l -> byId.merge(l.id(), 1, Integer::sum));
                long again = all.stream().filter(l -> l.node() != victim && l.key().startsWith("before:")
                        && victimSegments.contains(l.segment())).count();
                long repeats = byId.values().stream().mapToLong(n -> n - 1).sum();
                System.out.println("hooks failover: " + acked.size() + " acknowledged changes, " + all.size()
                        + " events logged by the nodes (" + repeats + " delivered again); the killed master had delivered "
                        + deliveredByVictim + ", of which the new masters delivered " + again + " again");
                assertTrue(again < deliveredByVictim, "the new masters resumed from the positions, not from the start");
            }
        }
    }

    /** {@link #KEYS} keys, each put twice (CREATED, UPDATED), acknowledged by a quorum. */
    private static void write(KvClient client, String prefix, Map<String, Version> acked) {
        WriteOptions quorum = WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM);
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < KEYS; i++) {
                String key = prefix + i;
                acked.put(key + "#" + round, client.put(Keys.utf8(key), Keys.utf8("v" + round), quorum));
            }
        }
    }

    /** Acknowledged changes (key#round) no node logged an event of (by key and version). */
    private static List<String> missing(LocalCluster cluster, Map<String, Version> acked) {
        Set<String> seen = new java.util.HashSet<>();
        for (Logged l : logged(cluster)) {
            seen.add(l.key() + "@" + l.version());
        }
        List<String> out = new ArrayList<>();
        acked.forEach((k, v) -> {
            if (!seen.contains(k.substring(0, k.indexOf('#')) + "@" + v)) {
                out.add(k);
            }
        });
        return out;
    }

    private static List<Logged> logged(LocalCluster cluster) {
        List<Logged> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path log = cluster.node(i).dataDir().resolve("example-hook/events.log");
            List<String> lines;
            try {
                lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f.length != 5 || f[1].equals("GAP")) {
                    continue; // a line torn by the kill
                }
                String[] v = f[3].split("[.@]");
                out.add(new Logged(i, Integer.parseInt(f[0].substring(0, f[0].indexOf('/'))), f[0], f[2],
                        Version.of(Long.parseLong(v[0]), Integer.parseInt(v[1]), Integer.parseInt(v[2]))));
            }
        }
        return out;
    }

    private static boolean hookActive(LocalCluster cluster, int node) {
        try {
            NodeProcess.ProcessResult r = cluster.exec(node, "hook:list");
            return r.output().contains("example bundle=earthwo.example.hook") && r.output().contains("state=active");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static long received(LocalCluster cluster, int node) {
        try {
            return Long.parseLong(cluster.status(node).getOrDefault("hooks.positions.received", "0"));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}

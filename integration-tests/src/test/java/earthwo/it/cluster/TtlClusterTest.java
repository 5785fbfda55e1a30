package earthwo.it.cluster;

import earthwo.api.Keys;
import earthwo.api.Record;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keys that expire in a cluster of three node processes (R=3, W=2) under continuous writes: no
 * read ever returns a key after the expiry it was written with; the segment masters reap every
 * one of them into replicated tombstones, so no replica's store keeps a record with an expiry;
 * after a master is killed with -9 the new masters reap what it had not, and when it returns its
 * expiry index (recovered after the kill, then repaired) matches its records.
 */
class TtlClusterTest {

    private static final int KEYS = 10_000;
    private static final long SPREAD_MS = 5_000;
    /** The first expiry, after the writes of all keys (a few seconds on two shared cores). */
    private static final long FIRST_EXPIRY_MS = 15_000;

    @TempDir
    Path root;

    @Test
    void expiredKeysAreNeverReadAndTheMastersReapThemAllEvenAfterAMasterDies() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "ttl").startZooKeeper().startNodes(3)) {
            cluster.awaitEveryNodeHoldsEverySegment(3, Duration.ofSeconds(60));
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(10)))) {
                LoadGenerator load = new LoadGenerator(client, "live:", WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM));
                long[] expiresAt = new long[KEYS];
                AtomicBoolean reading = new AtomicBoolean(true);
                AtomicInteger expiredReads = new AtomicInteger();
                AtomicLong checkedReads = new AtomicLong();
                List<String> samples = new ArrayList<>();
                Thread reader = new Thread(() -> {
                    while (reading.get()) {
                        int i = ThreadLocalRandom.current().nextInt(KEYS);
                        long wrote = expiresAt[i];
                        if (wrote == 0) {
                            continue;
                        }
                        long sentAt = System.currentTimeMillis();
                        try {
                            Optional<Record> r = client.get(Keys.utf8("ttl:" + i));
                            checkedReads.incrementAndGet();
                            if (r.isPresent() && sentAt >= wrote) {
                                expiredReads.incrementAndGet();
                                synchronized (samples) {
                                    if (samples.size() < 10) {
                                        samples.add("ttl:" + i + " read at " + sentAt + ", expired at " + wrote);
                                    }
                                }
                            }
                        } catch (RuntimeException failover) {
                            // a read during the failover may fail after the client's retries; it returned nothing
                        }
                    }
                }, "ttl-reader");
                try {
                    long start = System.currentTimeMillis();
                    List<CompletableFuture<?>> writes = new ArrayList<>();
                    for (int i = 0; i < KEYS; i++) {
                        long at = start + FIRST_EXPIRY_MS + (SPREAD_MS * i) / KEYS;
                        writes.add(client.putAsync(Keys.utf8("ttl:" + i), Keys.utf8("v" + i),
                                WriteOptions.DEFAULT.expiringAt(at)));
                        if (writes.size() == 256) {
                            CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).join();
                            writes.clear();
                        }
                        expiresAt[i] = at;
                    }
                    CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).join();
                    reader.start();
                    long keysWithExpiry = Long.parseLong(cluster.status(0).get("storage.expiry.index.entries"));
                    assertTrue(keysWithExpiry > 0, "node 0 indexes the keys that expire: " + keysWithExpiry);

                    // Half-way through the expiries, the master of segment 0 dies.
                    Poll.until("half of the keys expired", Duration.ofSeconds(30),
                            () -> System.currentTimeMillis() >= start + FIRST_EXPIRY_MS + SPREAD_MS / 2);
                    SegmentMap map = cluster.map(1);
                    int victim = indexOfNode(cluster, map.master(0));
                    cluster.node(victim).kill9();
                    int survivor = victim == 0 ? 1 : 0;
                    int other = 3 - victim - survivor;

                    for (int node : new int[] {survivor, other}) {
                        cluster.awaitStatus(node, "storage.expiry.index.entries", "0", Duration.ofSeconds(90));
                    }
                    Poll.until("1 s of reads after the last expiry", Duration.ofSeconds(30),
                            () -> System.currentTimeMillis() >= start + FIRST_EXPIRY_MS + SPREAD_MS + 1_000);
                } finally {
                    reading.set(false);
                    reader.join(30_000);
                    load.close();
                }
                assertEquals(0, expiredReads.get(), "reads returned expired keys: " + samples);
                assertTrue(checkedReads.get() > 1_000, "the reader checked " + checkedReads.get() + " answers");
                long reaped = 0;
                for (int node = 0; node < 3; node++) {
                    if (cluster.node(node).isAlive()) {
                        reaped += Long.parseLong(cluster.status(node).get("kv.reaped"));
                    }
                }
                assertTrue(reaped > 0, "the surviving masters reaped keys: " + reaped);
                for (int i = 0; i < KEYS; i += 97) {
                    assertTrue(client.get(Keys.utf8("ttl:" + i)).isEmpty(), "ttl:" + i + " is gone");
                }
                assertEquals(0, load.writeFailures.get(), "writes failed: " + load.failureSamples);

                // The killed master returns: its store, recovered after the kill -9, gets the
                // tombstones from the others (hints, anti-entropy); its index matches its records.
                int returning = indexOfDead(cluster);
                cluster.node(returning).start("--cluster", "ttl", "--zk", cluster.zkAddress());
                cluster.awaitStatus(returning, "storage.expiry.index.entries", "0", Duration.ofSeconds(120));
                for (int node = 0; node < 3; node++) {
                    NodeProcess.ProcessResult verify = cluster.exec(node, "ttl:verify");
                    assertTrue(verify.output().contains("consistent: 0 entries"), "node " + node + ": " + verify.output());
                }
            }
        }
    }

    private static int indexOfDead(LocalCluster cluster) {
        for (int i = 0; i < cluster.nodes().size(); i++) {
            if (!cluster.node(i).isAlive()) {
                return i;
            }
        }
        throw new AssertionError("every node is alive");
    }

    private static int indexOfNode(LocalCluster cluster, int nodeId) throws Exception {
        for (int i = 0; i < cluster.nodes().size(); i++) {
            String id = cluster.status(i).get("cluster.node");
            if (id != null && Integer.parseInt(id) == nodeId) {
                return i;
            }
        }
        throw new AssertionError("no node with id " + nodeId);
    }
}

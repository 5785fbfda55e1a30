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
import earthwo.client.EarthwoClients;
import earthwo.it.RawConnection;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On-demand measurements of the cluster (not a test of behaviour; skipped unless
 * {@code -Dearthwo.bench=true}):
 * <ol>
 * <li>{@link #returningNode}: 3 nodes, R=3, a W=quorum write+read load all along; kill -9 of one
 * node, 60 s down, restart; time from {@code bin/earthwo start} returning until its own store
 * ({@code storage.records} of its STATUS) holds every acknowledged key, with the hints replayed and
 * the anti-entropy bytes.</li>
 * <li>{@link #joiningNodeIdle} / {@link #joiningNodeUnderLoad}: 3 nodes, R=3, 1,000,000 keys of
 * 100-byte values loaded, then a 4th node starts; time until the map is settled (every segment
 * exactly R replicas, none syncing) and until the new node's store holds every key of its
 * segments, and the anti-entropy bytes of all nodes compared with the size of the data it
 * received.</li>
 * </ol>
 * Each prints one line per measurement (prefix {@code ClusterBenchmark}), plus progress lines.
 *
 * <p>System properties: {@code earthwo.bench.segments} (S, default 256), {@code earthwo.bench.keys}
 * (default 1000000), {@code earthwo.bench.rate} (writes/s and reads/s of the background load while
 * a node is down, default 1000), {@code earthwo.bench.join.rate} (of the light load during a join,
 * default 200), {@code earthwo.bench.down.ms} (default 60000).
 *
 * <p>The load is this class's own {@link PacedLoad}, not {@link LoadGenerator}: that one writes
 * as fast as 32 requests in flight allow (saturating the shared cores, so the amount a node misses
 * would depend on the machine) and its reader copies the whole acknowledged key set for every read,
 * which with 10<sup>5</sup> keys costs the test JVM a core.
 */
@EnabledIfSystemProperty(named = "earthwo.bench", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterBenchmark {

    private static final int S = Integer.getInteger("earthwo.bench.segments", Segments.DEFAULT_COUNT);
    private static final int R = 3;
    private static final int KEYS = Integer.getInteger("earthwo.bench.keys", 1_000_000);
    private static final int VALUE_BYTES = 100;
    private static final int LOAD_RATE = Integer.getInteger("earthwo.bench.rate", 1000);
    private static final int JOIN_LOAD_RATE = Integer.getInteger("earthwo.bench.join.rate", 200);
    private static final long DOWN_MS = Long.getLong("earthwo.bench.down.ms", 60_000);
    /** 60 s down stays inside the grace, so the node returns to its own replicas. */
    private static final long GRACE_MS = 120_000;
    private static final String[] OPTIONS = {"-Dearthwo.segments=" + S, "-Dearthwo.cluster.grace.ms=" + GRACE_MS};
    private static final int LOAD_IN_FLIGHT = 256;

    @TempDir
    Path root;

    // ---------------------------------------------------------------- returning node

    @Test
    @Order(1)
    void returningNode() throws Exception {
        String name = "bench-ret";
        try (LocalCluster cluster = new LocalCluster(root, name).startZooKeeper().startNodes(3, OPTIONS)) {
            cluster.awaitMap(0, m -> m.nodes().size() == 3 && LocalCluster.everySegmentHas(m, R) && m.allSyncing().isEmpty(),
                    Duration.ofSeconds(120), "3 nodes and " + R + " replicas of every segment");
            String load1Before = load1();
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(15)))) {
                PacedLoad load = new PacedLoad(client, "ret:", WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM), LOAD_RATE);
                long killedAt;
                long startCalledAt;
                long startedAt;
                long convergedAt;
                long ackedAtKill;
                long ackedAtRestart;
                long ackedAtConverged;
                Map<String, Long> survivorsAtKill;
                Map<String, Long> survivorsAtRestart;
                Map<String, Long> survivorsAtConverged;
                Map<String, String> returnedAtConverged;
                long hintsPendingClearedAt = -1;
                try {
                    load.awaitAcked(5_000, 120_000);
                    survivorsAtKill = sum(cluster, List.of(0, 1));
                    ackedAtKill = load.ackedCount();
                    cluster.node(2).kill9();
                    killedAt = System.nanoTime();
                    progress("returning: node index 2 killed (kill -9), %d keys acked", ackedAtKill);
                    sleepUntil(killedAt + TimeUnit.MILLISECONDS.toNanos(DOWN_MS), () -> progress(
                            "returning: down %d s, %d acked, survivors %s", secondsSince(killedAt), load.ackedCount(),
                            pick(sum(cluster, List.of(0, 1)), "kv.hints.written", "kv.hints.pending")));
                    survivorsAtRestart = sum(cluster, List.of(0, 1));
                    ackedAtRestart = load.ackedCount();
                    startCalledAt = System.nanoTime();
                    List<String> restart = new ArrayList<>(List.of("--cluster", name, "--zk", cluster.zkAddress()));
                    restart.addAll(List.of(OPTIONS));
                    cluster.node(2).start(restart.toArray(new String[0]));
                    startedAt = System.nanoTime();
                    progress("returning: bin/earthwo start took %d ms; %d acked", ms(startedAt - startCalledAt),
                            load.ackedCount());

                    // Until the returning node's own store holds every acknowledged key (R=3 on 3
                    // nodes: all of them). The acked count is read before the node's record count,
                    // so a key acked in between cannot make it look converged early.
                    long deadline = startedAt + TimeUnit.SECONDS.toNanos(600);
                    long lastProgress = System.nanoTime();
                    while (true) {
                        long acked = load.ackedCount();
                        long held = storedRecords(cluster, 2);
                        long now = System.nanoTime();
                        if (hintsPendingClearedAt < 0 && sum(cluster, List.of(0, 1)).getOrDefault("kv.hints.pending", -1L) == 0) {
                            hintsPendingClearedAt = now;
                        }
                        if (held >= acked) {
                            convergedAt = now;
                            ackedAtConverged = acked;
                            break;
                        }
                        if (now > deadline) {
                            throw new AssertionError("the returning node holds " + held + " records, " + acked + " acked");
                        }
                        if (now - lastProgress > TimeUnit.SECONDS.toNanos(5)) {
                            lastProgress = now;
                            progress("returning: %d ms after start: node holds %d of %d acked; survivors %s; it %s",
                                    ms(now - startedAt), held, acked,
                                    pick(sum(cluster, List.of(0, 1)), "kv.hints.replayed", "kv.hints.pending",
                                            "antientropy.keys.pushed"),
                                    pick(sum(cluster, List.of(2)), "antientropy.keys.repaired", "kv.replica.applies"));
                        }
                        Thread.sleep(200);
                    }
                    survivorsAtConverged = sum(cluster, List.of(0, 1));
                    returnedAtConverged = status(cluster, 2);
                } finally {
                    load.close();
                }
                assertEquals(0, load.writeFailures.get(), "writes failed: " + load.failureSamples);
                assertEquals(0, load.readFailures.get(), "reads failed: " + load.failureSamples);
                // After the load stopped: the three full replicas agree, and hold every acked key.
                long agreedAt = awaitAgreement(cluster, load.ackedCount(), Duration.ofSeconds(120));

                long hintsWritten = survivorsAtRestart.get("kv.hints.written") - survivorsAtKill.get("kv.hints.written");
                long hintsReplayed = survivorsAtConverged.get("kv.hints.replayed") - survivorsAtRestart.get("kv.hints.replayed");
                long aeSurvivors = survivorsAtConverged.get("antientropy.bytes.sent") - survivorsAtRestart.get("antientropy.bytes.sent")
                        + survivorsAtConverged.get("antientropy.bytes.received") - survivorsAtRestart.get("antientropy.bytes.received");
                long aeReturned = num(returnedAtConverged, "antientropy.bytes.sent") + num(returnedAtConverged, "antientropy.bytes.received");
                long repaired = num(returnedAtConverged, "antientropy.keys.repaired")
                        + survivorsAtConverged.get("antientropy.keys.pushed") - survivorsAtRestart.get("antientropy.keys.pushed");
                System.out.printf("ClusterBenchmark returning: S=%d R=3 N=3 grace=%d ms, W=quorum load %d writes/s + %d reads/s "
                                + "all along; kill -9, down %d ms, %d keys acked while down; bin/earthwo start took %d ms; "
                                + "start returned -> its store holds all %d acked keys: %d ms (hints pending 0 on the "
                                + "survivors after %s ms); hints written for it %d, replayed %d; anti-entropy bytes "
                                + "sent+received: survivors %d + returned node %d = %d, keys repaired/pushed %d; "
                                + "full replicas agree (load stopped) %d ms after start; load1 %s -> %s; %s%n",
                        S, GRACE_MS, LOAD_RATE, LOAD_RATE, DOWN_MS, ackedAtRestart - ackedAtKill, ms(startedAt - startCalledAt),
                        ackedAtConverged, ms(convergedAt - startedAt),
                        hintsPendingClearedAt < 0 ? "n/a" : String.valueOf(ms(hintsPendingClearedAt - startedAt)),
                        hintsWritten, hintsReplayed, aeSurvivors, aeReturned, aeSurvivors + aeReturned, repaired,
                        ms(agreedAt - startedAt), load1Before, load1(), Instant.now());
                System.out.println("ClusterBenchmark status keys: " + status(cluster, 2).keySet());
            }
        }
    }

    // ---------------------------------------------------------------- joining node

    @Test
    @Order(2)
    void joiningNodeIdle() throws Exception {
        join("join-idle", 0);
    }

    @Test
    @Order(3)
    void joiningNodeUnderLoad() throws Exception {
        join("join-load", JOIN_LOAD_RATE);
    }

    private void join(String name, int loadRate) throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, name).startZooKeeper().startNodes(3, OPTIONS)) {
            cluster.awaitMap(0, m -> m.nodes().size() == 3 && LocalCluster.everySegmentHas(m, R) && m.allSyncing().isEmpty(),
                    Duration.ofSeconds(120), "3 nodes and " + R + " replicas of every segment");
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                    .withRequestTimeout(Duration.ofSeconds(30)))) {
                String load1Before = load1();
                Acked base = bulkLoad(client, cluster);
                // every replica holds the loaded keys before the join starts
                long replicatedAt = System.nanoTime();
                awaitAgreement(cluster, base.total(), Duration.ofSeconds(300));
                progress("%s: all 3 nodes hold the %d keys %d ms after the load finished", name, base.total(),
                        ms(System.nanoTime() - replicatedAt));

                int floor = S * R / 4;
                PacedLoad load = loadRate > 0
                        ? new PacedLoad(client, "jl:", WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM), loadRate) : null;
                Map<Integer, long[]> aeBefore = new TreeMap<>();
                for (int i = 0; i < 3; i++) {
                    aeBefore.put(i, ae(status(cluster, i)));
                }
                long startCalledAt;
                long startedAt;
                long firstInMapAt = -1;
                long allAssignedAt = -1;
                long settledAt = -1;
                long storedAt = -1;
                SegmentMap settled = null;
                int newId;
                long expectedKeys = 0;
                long expectedBytes = 0;
                long held = -1;
                long maxSyncing = 0;
                long epochs = 0;
                String load1AtJoin = load1();
                try {
                    if (load != null) {
                        load.awaitAcked(2_000, 120_000);
                    }
                    startCalledAt = System.nanoTime();
                    cluster.startNodes(1, OPTIONS);
                    startedAt = System.nanoTime();
                    newId = nodeIdOf(cluster, 3);
                    progress("%s: bin/earthwo start of node %d took %d ms", name, newId, ms(startedAt - startCalledAt));
                    long deadline = startedAt + TimeUnit.SECONDS.toNanos(Long.getLong("earthwo.bench.join.timeout.s", 1200));
                    long lastProgress = System.nanoTime();
                    long lastEpoch = -1;
                    while (settledAt < 0 || storedAt < 0) {
                        SegmentMap m;
                        try {
                            m = cluster.map(0);
                        } catch (Exception e) {
                            Thread.sleep(100);
                            continue;
                        }
                        long now = System.nanoTime();
                        if (m.epoch() != lastEpoch) {
                            lastEpoch = m.epoch();
                            epochs++;
                        }
                        int syncingNow = 0;
                        for (Set<Integer> s : m.allSyncing().values()) {
                            syncingNow += s.size();
                        }
                        maxSyncing = Math.max(maxSyncing, syncingNow);
                        List<Integer> mine = m.segmentsOf(newId);
                        if (firstInMapAt < 0 && !mine.isEmpty()) {
                            firstInMapAt = now;
                        }
                        boolean assigned = mine.size() >= floor;
                        if (assigned && allAssignedAt < 0) {
                            allAssignedAt = now;
                        }
                        if (settledAt < 0 && m.nodes().size() == 4 && assigned && LocalCluster.everySegmentHas(m, R)
                                && m.allSyncing().isEmpty()) {
                            settledAt = now;
                            settled = m;
                        }
                        if (storedAt < 0 && assigned) {
                            // acked counts first, then the node's record count (see returningNode)
                            long want = base.countIn(mine) + (load == null ? 0 : load.acked.countIn(mine));
                            held = storedRecords(cluster, 3);
                            if (held >= want) {
                                storedAt = System.nanoTime();
                                expectedKeys = want;
                            }
                        }
                        if (now > deadline) {
                            throw new AssertionError(name + ": not settled/stored in time; last map " + m + ", node "
                                    + newId + " has " + mine.size() + " segments, holds " + storedRecords(cluster, 3));
                        }
                        if (now - lastProgress > TimeUnit.SECONDS.toNanos(10)) {
                            lastProgress = now;
                            int syncingMine = 0;
                            for (Set<Integer> s : m.allSyncing().values()) {
                                syncingMine += s.contains(newId) ? 1 : 0;
                            }
                            progress("%s: %d s after start: epoch %d, node %d has %d segments (%d syncing), holds %d "
                                    + "records; anti-entropy bytes sent so far %d; load1 %s", name, secondsSince(startedAt),
                                    m.epoch(), newId, mine.size(), syncingMine, storedRecords(cluster, 3),
                                    aeSent(cluster, aeBefore), load1());
                        }
                        Thread.sleep(200);
                    }
                } finally {
                    if (load != null) {
                        load.close();
                    }
                }
                long[] aeTotal = new long[2];
                for (int i = 0; i < 4; i++) {
                    long[] now = ae(status(cluster, i));
                    long[] was = aeBefore.getOrDefault(i, new long[2]);
                    aeTotal[0] += now[0] - was[0];
                    aeTotal[1] += now[1] - was[1];
                }
                List<Integer> mine = settled.segmentsOf(newId);
                expectedBytes = base.bytesIn(mine) + (load == null ? 0 : load.acked.bytesIn(mine));
                long finalWant = base.countIn(mine) + (load == null ? 0 : load.acked.countIn(mine));
                int masters = 0;
                for (int s = 0; s < S; s++) {
                    masters += settled.master(s) == newId ? 1 : 0;
                }
                if (load != null) {
                    assertEquals(0, load.writeFailures.get(), "writes failed: " + load.failureSamples);
                    assertEquals(0, load.readFailures.get(), "reads failed: " + load.failureSamples);
                }
                // With a load, a write acknowledged by a quorum may reach the new node later (hint or
                // anti-entropy): wait for it after the load stopped rather than check at once.
                long stopped = System.nanoTime();
                long finalHeld = storedRecords(cluster, 3);
                while (finalHeld < finalWant && System.nanoTime() - stopped < TimeUnit.SECONDS.toNanos(120)) {
                    Thread.sleep(250);
                    finalHeld = storedRecords(cluster, 3);
                }
                assertTrue(finalHeld >= finalWant, "the new node holds " + finalHeld + " records, its segments have "
                        + finalWant + " acked keys");
                long finalStoredMs = ms(System.nanoTime() - stopped);
                System.out.printf("ClusterBenchmark join(%s): S=%d R=3, 3 -> 4 nodes, %d keys of %d B loaded (%s); "
                                + "node %d took %d replicas and %d masters; bin/earthwo start took %d ms; start returned -> "
                                + "first in map %d ms, -> all %d replicas assigned %d ms, -> map settled (all segments R "
                                + "replicas, none syncing) %d ms over %d map epochs (at most %d syncing at once), -> its "
                                + "store holds its %d keys %d ms; anti-entropy bytes of all nodes: sent %d, received %d, "
                                + "sent+received %d; data it received %d B (keys x (key + %d B value)), sent/data %.2f; "
                                + "after the load stopped it held all %d keys of its segments within %d ms; "
                                + "load1 %s -> %s -> %s; %s%n",
                        loadRate == 0 ? "no load" : "W=quorum load " + loadRate + " writes/s + reads/s", S, base.total(),
                        VALUE_BYTES, base.rateLine, newId, mine.size(), masters, ms(startedAt - startCalledAt),
                        ms(firstInMapAt - startedAt), mine.size(), ms(allAssignedAt - startedAt), ms(settledAt - startedAt),
                        epochs, maxSyncing, expectedKeys, ms(storedAt - startedAt), aeTotal[0], aeTotal[1],
                        aeTotal[0] + aeTotal[1], expectedBytes, VALUE_BYTES, (double) aeTotal[0] / expectedBytes,
                        finalWant, finalStoredMs, load1Before, load1AtJoin, load1(), Instant.now());
            }
        }
    }

    /** Loads {@link #KEYS} keys of 100 B with W=1, {@link #LOAD_IN_FLIGHT} puts in flight. */
    private Acked bulkLoad(KvClient client, LocalCluster cluster) throws InterruptedException {
        Acked acked = new Acked(S);
        Semaphore inFlight = new Semaphore(LOAD_IN_FLIGHT);
        AtomicInteger failures = new AtomicInteger();
        List<String> samples = new ArrayList<>();
        byte[] value = new byte[VALUE_BYTES];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        WriteOptions one = WriteOptions.DEFAULT.withConcern(WriteConcern.ONE);
        long start = System.nanoTime();
        long lastProgress = start;
        for (int i = 0; i < KEYS; i++) {
            inFlight.acquire();
            byte[] key = String.format("key:%08d", i).getBytes(StandardCharsets.UTF_8);
            client.putAsync(key, value, one).whenComplete((v, err) -> {
                if (err == null) {
                    acked.add(key, VALUE_BYTES);
                } else {
                    failures.incrementAndGet();
                    synchronized (samples) {
                        if (samples.size() < 5) {
                            samples.add(Keys.string(key) + ": " + err);
                        }
                    }
                }
                inFlight.release();
            });
            if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(20)) {
                lastProgress = System.nanoTime();
                progress("load: %d keys in %d s (%.0f keys/s), load1 %s", i, secondsSince(start),
                        i / ((lastProgress - start) / 1e9), load1());
            }
        }
        inFlight.acquire(LOAD_IN_FLIGHT);
        long took = System.nanoTime() - start;
        assertEquals(0, failures.get(), "loading failed: " + samples);
        acked.rateLine = String.format("W=1, %d in flight: %d ms, %.0f keys/s", LOAD_IN_FLIGHT, ms(took),
                KEYS / (took / 1e9));
        System.out.printf("ClusterBenchmark load: %d keys of %d B into 3 nodes (R=3, S=%d), %s; load1 %s%n", KEYS,
                VALUE_BYTES, S, acked.rateLine, load1());
        return acked;
    }

    // ---------------------------------------------------------------- load and bookkeeping

    /** Acknowledged keys counted per segment: how many, and their key + value bytes. */
    static final class Acked {
        final AtomicLongArray count;
        final AtomicLongArray bytes;
        final AtomicLong total = new AtomicLong();
        final int segments;
        String rateLine = "";

        Acked(int segments) {
            this.segments = segments;
            this.count = new AtomicLongArray(segments);
            this.bytes = new AtomicLongArray(segments);
        }

        void add(byte[] key, int valueBytes) {
            int s = Segments.segmentOf(key, segments);
            count.incrementAndGet(s);
            bytes.addAndGet(s, key.length + valueBytes);
            total.incrementAndGet();
        }

        long total() {
            return total.get();
        }

        long countIn(List<Integer> segs) {
            long n = 0;
            for (int s : segs) {
                n += count.get(s);
            }
            return n;
        }

        long bytesIn(List<Integer> segs) {
            long n = 0;
            for (int s : segs) {
                n += bytes.get(s);
            }
            return n;
        }
    }

    /**
     * A steady load: {@code rate} puts per second of fresh keys (at most 32 in flight) and as many
     * GETs of acknowledged keys, each of which must read back.
     */
    static final class PacedLoad implements AutoCloseable {
        final Acked acked = new Acked(S);
        final Set<Integer> ackedIds = ConcurrentHashMap.newKeySet();
        final AtomicInteger writeFailures = new AtomicInteger();
        final AtomicInteger readFailures = new AtomicInteger();
        final AtomicLong reads = new AtomicLong();
        final List<String> failureSamples = new ArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger next = new AtomicInteger();
        private final Semaphore inFlight = new Semaphore(32);
        private final Thread writer;
        private final Thread reader;

        PacedLoad(KvClient client, String prefix, WriteOptions options, int rate) {
            long periodNanos = 1_000_000_000L / rate;
            writer = new Thread(() -> {
                long due = System.nanoTime();
                while (running.get()) {
                    due += periodNanos;
                    parkUntil(due);
                    try {
                        if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    int id = next.getAndIncrement();
                    byte[] key = (prefix + id).getBytes(StandardCharsets.UTF_8);
                    byte[] value = ("v-" + prefix + id).getBytes(StandardCharsets.UTF_8);
                    client.putAsync(key, value, options).whenComplete((v, err) -> {
                        if (err == null) {
                            ackedIds.add(id);
                            acked.add(key, value.length);
                        } else {
                            writeFailures.incrementAndGet();
                            sample("write " + prefix + id + ": " + err);
                        }
                        inFlight.release();
                    });
                }
                inFlight.acquireUninterruptibly(32);
            }, "bench-writer");
            reader = new Thread(() -> {
                long due = System.nanoTime();
                while (running.get()) {
                    due += periodNanos;
                    parkUntil(due);
                    int bound = next.get();
                    if (bound == 0) {
                        continue;
                    }
                    int id = ThreadLocalRandom.current().nextInt(bound);
                    if (!ackedIds.contains(id)) {
                        continue;
                    }
                    try {
                        Optional<Record> r = client.get(Keys.utf8(prefix + id));
                        reads.incrementAndGet();
                        if (r.isEmpty() || !("v-" + prefix + id).equals(Keys.string(r.get().value()))) {
                            readFailures.incrementAndGet();
                            sample("read " + prefix + id + ": " + r);
                        }
                    } catch (RuntimeException e) {
                        readFailures.incrementAndGet();
                        sample("read " + prefix + id + ": " + e);
                    }
                }
            }, "bench-reader");
            writer.start();
            reader.start();
        }

        long ackedCount() {
            return acked.total();
        }

        private static void parkUntil(long due) {
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }

        private synchronized void sample(String s) {
            if (failureSamples.size() < 5) {
                failureSamples.add(s);
            }
        }

        void awaitAcked(long n, long timeoutMs) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (ackedCount() < n) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("only " + ackedCount() + " of " + n + " writes acknowledged; failures "
                            + failureSamples);
                }
                Thread.sleep(20);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            writer.join(60_000);
            reader.join(60_000);
        }
    }

    // ---------------------------------------------------------------- status helpers

    /** Waits until nodes 0..2 (full replicas at R=3) hold the same count, at least {@code atLeast}. */
    private static long awaitAgreement(LocalCluster cluster, long atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Long> counts = new HashSet<>();
        while (System.nanoTime() < deadline) {
            counts.clear();
            long min = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long h = storedRecords(cluster, i);
                counts.add(h);
                min = Math.min(min, h);
            }
            if (counts.size() == 1 && min >= atLeast) {
                return System.nanoTime();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the full replicas hold " + counts + " records, at least " + atLeast + " expected");
    }

    private static int nodeIdOf(LocalCluster cluster, int index) throws Exception {
        return Integer.parseInt(status(cluster, index).get("cluster.node"));
    }

    private static Map<String, String> status(LocalCluster cluster, int index) throws Exception {
        return cluster.status(index);
    }

    private static long storedRecords(LocalCluster cluster, int index) {
        return cluster.storedRecords(index);
    }

    /** The numeric status values of some nodes, summed key by key (unreachable nodes count 0). */
    private static Map<String, Long> sum(LocalCluster cluster, List<Integer> nodes) {
        Map<String, Long> out = new TreeMap<>();
        for (int i : nodes) {
            try {
                for (Map.Entry<String, String> e : status(cluster, i).entrySet()) {
                    try {
                        out.merge(e.getKey(), Long.parseLong(e.getValue().trim()), Long::sum);
                    } catch (NumberFormatException notANumber) {
                        // text values
                    }
                }
            } catch (Exception e) {
                // node not reachable
            }
        }
        return out;
    }

    private static Map<String, Long> pick(Map<String, Long> m, String... keys) {
        Map<String, Long> out = new TreeMap<>();
        for (String k : keys) {
            out.put(k, m.getOrDefault(k, -1L));
        }
        return out;
    }

    private static long num(Map<String, String> m, String key) {
        return Long.parseLong(m.getOrDefault(key, "0").trim());
    }

    /** {sent, received} anti-entropy bytes of one node's status. */
    private static long[] ae(Map<String, String> s) {
        return new long[] {num(s, "antientropy.bytes.sent"), num(s, "antientropy.bytes.received")};
    }

    private static long aeSent(LocalCluster cluster, Map<Integer, long[]> before) {
        long sent = 0;
        for (int i = 0; i < cluster.nodes().size(); i++) {
            try {
                sent += ae(status(cluster, i))[0] - before.getOrDefault(i, new long[2])[0];
            } catch (Exception e) {
                // not reachable
            }
        }
        return sent;
    }

    private static String load1() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    private static void progress(String format, Object... args) {
        System.out.printf("  [%s] %s%n", Instant.now(), String.format(format, args));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static long secondsSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000_000L;
    }

    private static void sleepUntil(long nanoTime, Runnable every10s) throws InterruptedException {
        long lastProgress = System.nanoTime();
        while (System.nanoTime() < nanoTime) {
            Thread.sleep(Math.max(1, Math.min(1000, (nanoTime - System.nanoTime()) / 1_000_000)));
            if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(10)) {
                lastProgress = System.nanoTime();
                every10s.run();
            }
        }
    }
}

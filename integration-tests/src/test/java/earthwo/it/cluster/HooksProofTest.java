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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The proof that hooks get every acknowledged change, in order per key, across a master's death:
 * three node processes (R=3, the outbox on, the example hook in every node's deploy/), one writer
 * doing {@value #OPS} W=quorum puts and deletes over {@value #KEYS} keys (never two at once on a
 * key, so each key's operations are ordered), {@value #TTL_KEYS} keys that expire a few seconds
 * after they are written, and a {@code kill -9} of the master of segment 0 half-way through the
 * writes; the killed node comes back after them. Then some node's events.log holds:
 * <ul>
 *   <li>a CREATED or UPDATED event of every acknowledged put (its key and the version it returned);</li>
 *   <li>a DELETED event of every acknowledged delete that found a live value, newer than the put
 *       acknowledged before it;</li>
 *   <li>exactly one EXPIRED event (one id; delivered again is allowed) of every key that expired,
 *       and none of them is readable;</li>
 * </ul>
 * and in each node's log the versions of a key grow, except for events delivered again (an id
 * that some log already holds).
 */
class HooksProofTest {

    private static final String NAME = "proof";
    private static final int OPS = 20_000;
    private static final int KEYS = 2_000;
    private static final int KILL_AT = 10_000;
    private static final int TTL_KEYS = 200;
    /** TTL keys are written during operations [TTL_FROM, KILL_AT), one every TTL_EVERY. */
    private static final int TTL_EVERY = 20;
    private static final int TTL_FROM = KILL_AT - TTL_KEYS * TTL_EVERY;
    private static final int IN_FLIGHT = 16;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Pattern LINE = Pattern.compile(
            "((\\d+)/\\S+) (CREATED|UPDATED|DELETED|EXPIRED|GAP) (\\S+) (\\d+)\\.(\\d+)@(\\d+) (\\d+)");

    @TempDir
    Path root;

    /** A well-formed line of a node's events.log; {@code seq}: its place in that log. */
    private record Event(int node, int seq, String id, int segment, String type, String key, Version version) {
    }

    /** An acknowledged operation on a key: a put with its version, or a delete that found a live value. */
    private record Ack(boolean put, Version version) {
    }

    @Test
    void everyAcknowledgedChangeIsDeliveredInOrderPerKeyAcrossAMastersDeath() throws Exception {
        long t0 = System.nanoTime();
        Path deploy = Files.createDirectories(root.resolve("deploy"));
        Files.copy(Paths.get(System.getProperty("earthwo.example.hook.jar", "target/plugins/earthwo.example.hook.jar")),
                deploy.resolve("earthwo.example.hook.jar"));
        // No outbox setting: the example hook switches the outbox on, on every node, as it registers.
        String[] options = {"-Dfelix.fileinstall.dir=" + deploy};
        try (LocalCluster cluster = new LocalCluster(root, NAME).startZooKeeper().startNodes(3, options)) {
            try {
                prove(cluster, options, t0);
            } catch (AssertionError | Exception e) {
                for (int i = 0; i < 3; i++) {
                    System.out.println("node " + i + " log:\n" + cluster.node(i).logTail());
                }
                throw e;
            }
        }
    }

    /** {@code t0}: {@link System#nanoTime()} when the test started. */
    private void prove(LocalCluster cluster, String[] options, long t0) throws Exception {
        cluster.awaitEveryNodeHoldsEverySegment(3, Duration.ofSeconds(90));
        for (int i = 0; i < 3; i++) {
            int node = i;
            Poll.until("node " + i + ": the example hook active", WAIT, () -> hookActive(cluster, node));
        }
        Map<Integer, Integer> indexById = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            indexById.put(Integer.parseInt(cluster.status(i).get("cluster.node")), i);
        }
        SegmentMap before = cluster.map(0);
        int victim = indexById.get(before.master(0));
        Set<Integer> victimSegments = new TreeSet<>();
        for (int s = 0; s < before.segmentCount(); s++) {
            if (indexById.get(before.master(s)) == victim) {
                victimSegments.add(s);
            }
        }
        EventLogs logs = new EventLogs(cluster);

        Writer writer;
        long killedAt;
        long resumedAfterMs;
        Set<String> victimIdsAtKill;
        int victimLinesAtKill;
        long newMastersAfterMs;
        long writeStart = System.nanoTime();
        long writeMs;
        try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                .withRequestTimeout(Duration.ofSeconds(10)))) {
            writer = new Writer(client);
            Thread thread = new Thread(writer, "proof-writer");
            thread.setDaemon(true);
            thread.start();
            try {
                Poll.until(KILL_AT + " operations sent", Duration.ofSeconds(120),
                        () -> writer.issued.get() >= KILL_AT || writer.done.get() != null);
                cluster.node(victim).kill9();
                killedAt = System.nanoTime();
                logs.refresh();
                victimIdsAtKill = logs.idsOf(victim);
                victimLinesAtKill = logs.of(victim).size();
                int survivor = (victim + 1) % 3;
                cluster.awaitMap(survivor, m -> victimSegments.stream().allMatch(s -> m.master(s) != before.master(s)),
                        WAIT, "new masters for the segments of node " + victim);
                newMastersAfterMs = (System.nanoTime() - killedAt) / 1_000_000;
                // The new masters deliver the events of the victim's segments.
                Poll.until("a new master delivers an event of a segment of node " + victim, WAIT,
                        () -> logs.refresh().stream().anyMatch(e -> e.node() != victim && victimSegments.contains(e.segment())));
                resumedAfterMs = (System.nanoTime() - killedAt) / 1_000_000;
                Poll.until("the writer done", Duration.ofSeconds(120), () -> writer.done.get() != null);
            } finally {
                writer.stop = true;
                thread.join(30_000);
            }
            writeMs = (System.nanoTime() - writeStart) / 1_000_000;
            if (writer.done.get() instanceof Throwable t) {
                throw new AssertionError("the writer failed", t);
            }

            // The killed node returns with the same options and serves again.
            List<String> args = new ArrayList<>(List.of("--cluster", NAME, "--zk", cluster.zkAddress()));
            args.addAll(List.of(options));
            cluster.node(victim).start(args.toArray(String[]::new));
            cluster.awaitEveryNodeHoldsEverySegment(3, Duration.ofSeconds(120));
            Poll.until("node " + victim + ": the example hook active again", WAIT, () -> hookActive(cluster, victim));

            // Every acknowledged change delivered.
            List<String> putKeys = new ArrayList<>();
            Map<String, List<Version>> deleteFloors = new HashMap<>(); // key -> per acknowledged delete, the put acknowledged before it
            int acknowledgedDeletes = 0;
            for (Map.Entry<String, List<Ack>> e : writer.acks.entrySet()) {
                Version lastPut = Version.ZERO;
                for (Ack a : e.getValue()) {
                    if (a.put()) {
                        putKeys.add(e.getKey() + "@" + a.version());
                        lastPut = a.version();
                    } else {
                        deleteFloors.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(lastPut);
                        acknowledgedDeletes++;
                    }
                }
            }
            Set<String> ttlKeys = new TreeSet<>(writer.ttlAcked);
            Set<String> missingPuts = new HashSet<>(putKeys);
            Map<String, List<Version>> missingDeletes = new HashMap<>();
            deleteFloors.forEach((k, v) -> missingDeletes.put(k, new ArrayList<>(v)));
            Set<String> missingExpiries = new HashSet<>(ttlKeys);
            AtomicReference<String> progress = new AtomicReference<>("");
            try {
                Poll.until("every acknowledged change in some node's events.log", WAIT, () -> {
                    logs.refresh();
                    missingPuts.removeIf(logs.changes::contains);
                    missingDeletes.entrySet().removeIf(e -> {
                        Version newest = logs.newestDeleted.get(e.getKey());
                        e.getValue().removeIf(floor -> newest != null && newest.isNewerThan(floor));
                        return e.getValue().isEmpty();
                    });
                    missingExpiries.removeIf(k -> !logs.expiredIds.getOrDefault(k, Set.of()).isEmpty());
                    progress.set(missingPuts.size() + " puts " + sample(missingPuts) + ", " + missingDeletes.size()
                            + " keys' deletes " + sample(missingDeletes.keySet()) + ", " + missingExpiries.size()
                            + " expiries " + sample(missingExpiries) + " missing");
                    return missingPuts.isEmpty() && missingDeletes.isEmpty() && missingExpiries.isEmpty();
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + progress.get(), e);
            }
            long deliveredMs = (System.nanoTime() - killedAt) / 1_000_000;
            // Nothing left to deliver anywhere: later deliveries cannot add an EXPIRED id unseen.
            for (int i = 0; i < 3; i++) {
                cluster.awaitStatus(i, "hooks.example.pending", "0", WAIT);
            }
            logs.refresh();
            List<Event> all = logs.all();

            // Each TTL key expired once (one id) and reads find none of them.
            List<String> twice = new ArrayList<>();
            List<String> readable = new ArrayList<>();
            for (String k : ttlKeys) {
                Set<String> ids = logs.expiredIds.get(k);
                if (ids.size() != 1) {
                    List<String> where = new ArrayList<>();
                    for (Event e : all) {
                        if (e.type().equals("EXPIRED") && e.key().equals(k)) {
                            where.add(e.id() + " logged by node " + e.node());
                        }
                    }
                    twice.add(k + " " + where);
                }
                if (client.get(Keys.utf8(k)).isPresent()) {
                    readable.add(k);
                }
            }

            // Per node and key, versions grow, except for events delivered again.
            Map<String, Set<Integer>> nodesById = new HashMap<>();
            for (Event e : all) {
                nodesById.computeIfAbsent(e.id(), x -> new HashSet<>()).add(e.node());
            }
            List<String> outOfOrder = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                Map<String, Version> highest = new HashMap<>();
                Set<String> earlier = new HashSet<>();
                for (Event e : logs.of(n)) {
                    if (e.type().equals("GAP")) {
                        continue;
                    }
                    Version h = highest.get(e.key());
                    if (h != null && !e.version().isNewerThan(h)) {
                        boolean again = earlier.contains(e.id()) || nodesById.get(e.id()).size() > 1;
                        if (!again && outOfOrder.size() < 20) {
                            outOfOrder.add("node " + n + " line " + e.seq() + ": " + e + " after " + h);
                        }
                    } else {
                        highest.put(e.key(), e.version());
                    }
                    earlier.add(e.id());
                }
            }

            // Figures.
            Map<String, Integer> byId = new HashMap<>();
            all.forEach(e -> byId.merge(e.id(), 1, Integer::sum));
            long duplicates = byId.values().stream().filter(c -> c > 1).count();
            long repeats = byId.values().stream().mapToLong(c -> c - 1).sum();
            Set<String> again = new HashSet<>();
            for (Event e : all) {
                if (e.node() != victim && victimSegments.contains(e.segment()) && victimIdsAtKill.contains(e.id())) {
                    again.add(e.id());
                }
            }
            Set<String> againByReturned = new HashSet<>();
            for (Event e : logs.of(victim)) {
                if (e.seq() > victimLinesAtKill && nodesById.get(e.id()).size() > 1) {
                    againByReturned.add(e.id());
                }
            }
            long gaps = all.stream().filter(e -> e.type().equals("GAP")).count();
            long expired = all.stream().filter(e -> e.type().equals("EXPIRED")).map(Event::id).distinct().count();
            SegmentMap after = cluster.map(0);
            long regained = victimSegments.stream().filter(s -> indexById.get(after.master(s)) == victim).count();
            System.out.printf("hooks proof: %d operations (%d puts, %d deletes that found a value, %d that did not, %d"
                            + " failed after the client's retries) + %d TTL puts in %d ms; %d acknowledged changes (%d puts,"
                            + " %d deletes, %d TTL keys expired)%n",
                    writer.issued.get(), writer.putsAcked.get(), acknowledgedDeletes, writer.deletesNothing.get(),
                    writer.failed.get(), writer.ttlAcked.size(), writeMs, putKeys.size() + acknowledgedDeletes
                            + ttlKeys.size(), putKeys.size(), acknowledgedDeletes, ttlKeys.size());
            System.out.printf("hooks proof: %d events logged by the 3 nodes (%d distinct ids, %d EXPIRED ids, %d GAPs,"
                            + " %d torn lines); %d ids delivered more than once (%d extra lines); node %d (master of %d"
                            + " segments) killed after %d operations: it had logged %d events, %d of them delivered again"
                            + " by the new masters; after its restart it delivered %d events again that another node had"
                            + " delivered%n",
                    all.size(), byId.size(), expired, gaps, logs.torn(), duplicates, repeats, victim,
                    victimSegments.size(), KILL_AT, victimIdsAtKill.size(), again.size(), againByReturned.size());
            StringBuilder reaped = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                reaped.append(i == 0 ? "" : ", ").append("node ").append(i).append(' ')
                        .append(cluster.status(i).get("kv.reaped"));
            }
            System.out.println("hooks proof: keys reaped since each node's (last) start: " + reaped);
            System.out.printf("hooks proof: from the kill, %d ms until the map named new masters, %d ms until a new"
                            + " master delivered an event of the victim's segments, %d ms until every acknowledged change"
                            + " was delivered; after its restart node %d masters %d of its %d segments again; whole test"
                            + " %d s%n",
                    newMastersAfterMs, resumedAfterMs, deliveredMs, victim, regained, victimSegments.size(),
                    (System.nanoTime() - t0) / 1_000_000_000);

            assertAll(
                    () -> assertEquals(0, writer.failed.get(), "operations failed after the client's retries: "
                            + writer.failures),
                    () -> assertEquals(List.of(), outOfOrder,
                            "versions of a key out of order in a node's events.log, not a re-delivery"),
                    () -> assertEquals(0, gaps, "GAP events: the outbox dropped events"),
                    () -> assertEquals(List.of(), readable, "TTL keys still readable after they expired"),
                    () -> assertEquals(ttlKeys, new TreeSet<>(logs.expiredIds.keySet()), "the keys with EXPIRED events"),
                    () -> assertEquals(List.of(), twice, twice.size() + " TTL keys with more than one EXPIRED event id"));
        }
    }

    /**
     * Sends {@value #OPS} operations, {@value #IN_FLIGHT} at a time, never two on one key at once:
     * 80 % puts, 20 % deletes of random keys; while operations [TTL_FROM, KILL_AT) are sent, also
     * {@value #TTL_KEYS} puts of keys expiring 2–6 s later. Records each acknowledged change in
     * its key's order.
     */
    private static final class Writer implements Runnable {

        final Map<String, List<Ack>> acks = new ConcurrentHashMap<>();
        final Set<String> ttlAcked = ConcurrentHashMap.newKeySet();
        final AtomicInteger issued = new AtomicInteger();
        final AtomicInteger putsAcked = new AtomicInteger();
        final AtomicInteger deletesNothing = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        /** Set when the writer ends: Boolean.TRUE, or what it failed with. */
        final AtomicReference<Object> done = new AtomicReference<>();
        volatile boolean stop;

        private final KvClient client;
        private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
        private final Set<Integer> busy = ConcurrentHashMap.newKeySet();
        private final WriteOptions quorum = WriteOptions.DEFAULT.withConcern(WriteConcern.QUORUM);

        Writer(KvClient client) {
            this.client = client;
        }

        @Override
        public void run() {
            try {
                Random random = new Random(42);
                for (int n = 0; n < OPS && !stop; n++) {
                    if (n >= TTL_FROM && n < KILL_AT && (n - TTL_FROM) % TTL_EVERY == 0) {
                        ttlPut((n - TTL_FROM) / TTL_EVERY);
                    }
                    inFlight.acquire();
                    int k;
                    do {
                        k = random.nextInt(KEYS);
                    } while (!busy.add(k));
                    boolean put = random.nextInt(100) < 80;
                    issued.incrementAndGet();
                    send(k, put, n);
                }
                inFlight.acquire(IN_FLIGHT);
                done.set(Boolean.TRUE);
            } catch (Throwable t) {
                done.set(t);
            }
        }

        private void send(int k, boolean put, int n) {
            String key = "k:" + k;
            if (put) {
                client.putAsync(Keys.utf8(key), Keys.utf8("v" + n), quorum).whenComplete((v, err) -> {
                    if (err == null) {
                        putsAcked.incrementAndGet();
                        acks.computeIfAbsent(key, x -> Collections.synchronizedList(new ArrayList<>())).add(new Ack(true, v));
                    } else {
                        fail("put " + key, err);
                    }
                    busy.remove(k);
                    inFlight.release();
                });
            } else {
                client.deleteAsync(Keys.utf8(key), quorum).whenComplete((found, err) -> {
                    if (err != null) {
                        fail("delete " + key, err);
                    } else if (found) {
                        acks.computeIfAbsent(key, x -> Collections.synchronizedList(new ArrayList<>())).add(new Ack(false, null));
                    } else {
                        deletesNothing.incrementAndGet();
                    }
                    busy.remove(k);
                    inFlight.release();
                });
            }
        }

        private void ttlPut(int j) throws InterruptedException {
            inFlight.acquire();
            String key = "ttl:" + j;
            long at = System.currentTimeMillis() + 2_000 + 4_000L * j / TTL_KEYS;
            client.putAsync(Keys.utf8(key), Keys.utf8("t" + j), quorum.expiringAt(at)).whenComplete((v, err) -> {
                if (err == null) {
                    ttlAcked.add(key);
                    acks.computeIfAbsent(key, x -> Collections.synchronizedList(new ArrayList<>())).add(new Ack(true, v));
                } else {
                    fail("TTL put " + key, err);
                }
                inFlight.release();
            });
        }

        private void fail(String what, Throwable err) {
            failed.incrementAndGet();
            if (failures.size() < 10) {
                failures.add(what + ": " + err);
            }
        }
    }

    /**
     * The three nodes' events.log files, read as they grow (complete lines only; a line torn by
     * the kill is ended by the hook when the node starts again and then skipped as malformed).
     */
    private static final class EventLogs {

        final Set<String> changes = new HashSet<>(); // key@version of CREATED and UPDATED
        final Map<String, Version> newestDeleted = new HashMap<>();
        final Map<String, Set<String>> expiredIds = new HashMap<>();

        private final LocalCluster cluster;
        private final long[] offsets = new long[3];
        private final List<List<Event>> byNode = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        private final List<Event> all = new ArrayList<>();
        private final AtomicLong torn = new AtomicLong();

        EventLogs(LocalCluster cluster) {
            this.cluster = cluster;
        }

        /** Reads what the logs gained; returns the events read now. */
        synchronized List<Event> refresh() {
            int from = all.size();
            for (int n = 0; n < 3; n++) {
                Path file = cluster.node(n).dataDir().resolve("example-hook/events.log");
                if (!Files.exists(file)) {
                    continue;
                }
                try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
                    long size = c.size();
                    if (size <= offsets[n]) {
                        continue;
                    }
                    ByteBuffer b = ByteBuffer.allocate((int) (size - offsets[n]));
                    while (b.hasRemaining() && c.read(b, offsets[n] + b.position()) > 0) {
                        // read to the end
                    }
                    byte[] bytes = new byte[b.position()];
                    b.flip().get(bytes);
                    int end = bytes.length;
                    while (end > 0 && bytes[end - 1] != '\n') {
                        end--;
                    }
                    if (end == 0) {
                        continue;
                    }
                    offsets[n] += end;
                    for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
                        take(n, line);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return new ArrayList<>(all.subList(from, all.size()));
        }

        /** Every event read so far, in the order read. */
        synchronized List<Event> all() {
            return new ArrayList<>(all);
        }

        private void take(int node, String line) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                torn.incrementAndGet();
                return;
            }
            List<Event> log = byNode.get(node);
            Event e = new Event(node, log.size() + 1, m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4),
                    Version.of(Long.parseLong(m.group(5)), Integer.parseInt(m.group(6)), Integer.parseInt(m.group(7))));
            log.add(e);
            all.add(e);
            switch (e.type()) {
                case "CREATED", "UPDATED" -> changes.add(e.key() + "@" + e.version());
                case "DELETED" -> newestDeleted.merge(e.key(), e.version(), (a, b) -> a.isNewerThan(b) ? a : b);
                case "EXPIRED" -> expiredIds.computeIfAbsent(e.key(), k -> new TreeSet<>()).add(e.id());
                default -> {
                }
            }
        }

        synchronized List<Event> of(int node) {
            return new ArrayList<>(byNode.get(node));
        }

        synchronized Set<String> idsOf(int node) {
            Set<String> ids = new HashSet<>();
            byNode.get(node).forEach(e -> ids.add(e.id()));
            return ids;
        }

        long torn() {
            return torn.get();
        }
    }

    private static String sample(Set<String> s) {
        return s.stream().limit(5).toList().toString();
    }

    private static boolean hookActive(LocalCluster cluster, int node) {
        try {
            NodeProcess.ProcessResult r = cluster.exec(node, "hook:list");
            return r.output().contains("example bundle=earthwo.example.hook") && r.output().contains("state=active");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

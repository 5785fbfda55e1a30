package earthwo.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.Keys;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.api.testing.Poll;
import earthwo.client.EarthwoClients;
import earthwo.it.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secondary indexes' proof (issue: "Several secondary indexes"): three nodes, R=3,
 * {@value #RECORDS} JSON records, three indexes defined under a continuous W=quorum write load
 * (string, long, multi-valued) while one node is killed with {@code kill -9} during their
 * backfill and comes back; then every query — exact, range, multi-valued, and paging through
 * thousands of rows with writes in between — equals a brute-force oracle over the records the
 * test acknowledged, and {@code index:verify} is clean on every node. Then an index on the
 * example extractor plug-in (in every node's {@code deploy/}): removed from one node, that node
 * shows it unavailable, writes still succeed, and queries are answered by the other replicas.
 */
class IndexesProofTest {

    private static final String NAME = "indexes";
    private static final int RECORDS = 100_000;
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** The W=quorum write load while the indexes are built. */
    private static final int WRITES_PER_SECOND = 1_000;
    private static final Pattern LIST_LINE = Pattern.compile("^(\\S+) .*state=(\\S+) .*$", Pattern.MULTILINE);

    @TempDir
    Path root;

    /** The value of record i in generation g: an email of 5,000, an age of 100, two tags of 7 and 11. */
    private static String value(int i, int g) {
        int n = i + 7919 * g;
        return "{\"email\":\"e" + (n % 5_000) + "@x\",\"age\":" + (n % 100) + ",\"tags\":[\"t" + (n % 7) + "\",\"u"
                + (n % 11) + "\"],\"city\":\"c" + (n % 13) + "\"}";
    }

    /** What the test's JSON value gives for a field, as the oracle reads it. */
    private static List<String> field(String json, String name) {
        List<String> out = new ArrayList<>();
        if (name.equals("tags")) {
            Matcher m = Pattern.compile("\"tags\":\\[\"([^\"]+)\",\"([^\"]+)\"\\]").matcher(json);
            if (m.find()) {
                out.add(m.group(1));
                out.add(m.group(2));
            }
            return out;
        }
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]+)").matcher(json);
        if (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void queriesEqualABruteForceOracleAfterABackfillThroughAKill() throws Exception {
        Path deploy = Files.createDirectories(root.resolve("deploy"));
        Path jar = Paths.get(System.getProperty("earthwo.example.extractor.jar", "target/plugins/earthwo.example.extractor.jar"));
        // One deploy/ per node, so the plug-in can leave one node only.
        List<Path> deploys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path d = Files.createDirectories(deploy.resolve("node" + i));
            Files.copy(jar, d.resolve("earthwo.example.extractor.jar"));
            deploys.add(d);
        }
        try (LocalCluster cluster = new LocalCluster(root, NAME).startZooKeeper()) {
            for (int i = 0; i < 3; i++) {
                cluster.startNodes(1, "-Dfelix.fileinstall.dir=" + deploys.get(i), "-Dearthwo.indexes.scheme.grace.ms=3000");
            }
            try {
                prove(cluster, deploys);
            } catch (AssertionError | Exception e) {
                for (int i = 0; i < 3; i++) {
                    System.out.println("node " + i + " log:\n" + cluster.node(i).logTail());
                }
                throw e;
            }
        }
    }

    private void prove(LocalCluster cluster, List<Path> deploys) throws Exception {
        long t0 = System.nanoTime();
        cluster.awaitEveryNodeHoldsEverySegment(3, Duration.ofSeconds(90));
        Map<String, String> oracle = new ConcurrentHashMap<>();
        try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(cluster.seeds())
                .withRequestTimeout(Duration.ofSeconds(10)))) {
            load(client, oracle);
            long loadedMs = (System.nanoTime() - t0) / 1_000_000;

            Writer writer = new Writer(client, oracle);
            Thread thread = new Thread(writer, "index-proof-writer");
            thread.setDaemon(true);
            thread.start();
            long backfillStart = System.nanoTime();
            try {
                ok(cluster.exec(0, "index:create email 'json:$.email'"));
                ok(cluster.exec(1, "index:create age 'json:$.age' --type long"));
                ok(cluster.exec(2, "index:create tag 'json:$.tags[*]'"));
                Poll.until("node 2 building", WAIT, () -> states(cluster, 2).containsValue("building")
                        || states(cluster, 2).size() == 3);
                cluster.node(2).kill9();
                Poll.until("writes go on without node 2", WAIT, () -> writer.acknowledged.get() > 2_000);
                cluster.node(2).start("--cluster", NAME, "--zk", cluster.zkAddress(),
                        "-Dfelix.fileinstall.dir=" + deploys.get(2), "-Dearthwo.indexes.scheme.grace.ms=3000");
                for (int i = 0; i < 3; i++) {
                    int node = i;
                    Poll.until("node " + i + ": every index ready", WAIT, () -> {
                        Map<String, String> s = states(cluster, node);
                        return s.size() == 3 && s.values().stream().allMatch("ready"::equals);
                    });
                }
            } finally {
                writer.stop.set(true);
                thread.join(30_000);
            }
            if (writer.failure.get() != null) {
                throw new AssertionError("the writer failed", writer.failure.get());
            }
            uncertain.addAll(writer.uncertain);
            settleUncertain(client, oracle);
            long backfillMs = (System.nanoTime() - backfillStart) / 1_000_000;
            cluster.awaitEveryNodeHoldsEverySegment(3, Duration.ofSeconds(120));

            // Exact, range, multi-valued: each equal to the oracle once the replicas agree.
            for (String email : List.of("e0@x", "e17@x", "e4999@x", "nobody@x")) {
                expect(client, IndexQuery.eq("email", email).limit(1_000), oracle, v -> field(v, "email"));
            }
            expect(client, IndexQuery.range("age", "10", "12").limit(10_000), oracle, v -> field(v, "age"));
            expect(client, IndexQuery.eq("tag", "t3").limit(10_000), oracle, v -> field(v, "tags"));
            expect(client, IndexQuery.eq("tag", "u10").limit(10_000).keysOnly(true), oracle, v -> field(v, "tags"));

            // Paging through more than 10,000 rows, 1,000 at a time, with writes in between
            // (to records of ages outside the range): every row once, in order.
            // (First the same rows in one go, polled: every replica has converged on them.)
            expect(client, IndexQuery.range("age", "0", "49").limit(10_000).keysOnly(true), oracle, v -> field(v, "age"));
            pageWithWritesBetween(client, oracle);

            for (int i = 0; i < 3; i++) {
                for (String index : List.of("email", "age", "tag")) {
                    NodeProcess.ProcessResult v = cluster.exec(i, "index:verify " + index);
                    assertTrue(v.output().contains(": clean"), "node " + i + " " + index + ": " + v.output());
                }
            }

            // A third-party extractor, then gone from one node.
            ok(cluster.exec(0, "index:create city csv:4"));
            for (int i = 0; i < 3; i++) {
                int node = i;
                Poll.until("node " + i + ": city ready", WAIT, () -> "ready".equals(states(cluster, node).get("city")));
            }
            Function<String, List<String>> city = v -> {
                String[] f = v.split(",", -1);
                return f.length > 4 ? List.of(f[4]) : List.of();
            };
            expect(client, IndexQuery.eq("city", "\"city\":\"c5\"}").limit(10_000), oracle, city);
            Files.delete(deploys.get(1).resolve("earthwo.example.extractor.jar"));
            // Unavailable at once (waiting for the scheme), and for good after the grace (3 s here).
            Poll.until("node 1: city unavailable", WAIT, () -> "unavailable".equals(states(cluster, 1).get("city")));
            Poll.until("node 1: no csv extractor", WAIT, () -> listing(cluster, 1).contains("no extractor of scheme 'csv'"));
            client.put(Keys.utf8("rec:city"), Keys.utf8(value(5, 0)));
            oracle.put("rec:city", value(5, 0));
            expect(client, IndexQuery.eq("city", "\"city\":\"c5\"}").limit(10_000), oracle, city);
            System.out.println("indexes proof: " + RECORDS + " records loaded in " + loadedMs + " ms; 3 indexes built on 3"
                    + " nodes through a kill -9 in " + backfillMs + " ms while " + writer.acknowledged.get()
                    + " writes were acknowledged; whole test " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
        }
    }

    private static void ok(NodeProcess.ProcessResult r) {
        assertEquals(0, r.exitCode(), r.output());
    }

    /** index:list of a node ("" while it is down). */
    private static String listing(LocalCluster cluster, int node) {
        try {
            return cluster.exec(node, "index:list").output();
        } catch (Exception e) {
            return "";
        }
    }

    /** Index name to state on one node, from index:list (empty while the node is down). */
    private static Map<String, String> states(LocalCluster cluster, int node) {
        Map<String, String> out = new TreeMap<>();
        try {
            NodeProcess.ProcessResult r = cluster.exec(node, "index:list");
            if (r.exitCode() != 0) {
                return out;
            }
            Matcher m = LIST_LINE.matcher(r.output());
            while (m.find()) {
                out.put(m.group(1), m.group(2));
            }
        } catch (Exception e) {
            // down or starting
        }
        return out;
    }

    private static void load(KvClient client, Map<String, String> oracle) throws Exception {
        Semaphore window = new Semaphore(256);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < RECORDS && failure.get() == null; i++) {
            String k = "rec:" + i;
            String v = value(i, 0);
            window.acquire();
            client.putAsync(Keys.utf8(k), v.getBytes(StandardCharsets.UTF_8), WriteOptions.DEFAULT)
                    .whenComplete((ver, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            oracle.put(k, v);
                        }
                        window.release();
                    });
        }
        window.acquire(256);
        if (failure.get() != null) {
            throw new AssertionError("loading failed", failure.get());
        }
    }

    /**
     * W=quorum overwrites (a new generation's value) and deletes of random records, at most one
     * operation in flight per key, so the oracle holds each key's last acknowledged state.
     */
    private static final class Writer implements Runnable {
        final KvClient client;
        final Map<String, String> oracle;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Set<String> inFlight = ConcurrentHashMap.newKeySet();
        /** Keys whose last operation's outcome is unknown (a node died under it): read back at the end. */
        final Set<String> uncertain = ConcurrentHashMap.newKeySet();
        final Random random = new Random(42);

        Writer(KvClient client, Map<String, String> oracle) {
            this.client = client;
            this.oracle = oracle;
        }

        @Override
        public void run() {
            Semaphore window = new Semaphore(32);
            int generation = 1;
            long next = System.nanoTime();
            try {
                while (!stop.get()) {
                    // Paced: a continuous load that leaves the two cores to the backfill as well.
                    next += 1_000_000_000L / WRITES_PER_SECOND;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    int i = random.nextInt(RECORDS);
                    String k = "rec:" + i;
                    if (!inFlight.add(k)) {
                        continue;
                    }
                    window.acquire();
                    boolean delete = random.nextInt(10) == 0;
                    String v = value(i, generation++);
                    CompletableFuture<?> op = delete
                            ? client.deleteAsync(Keys.utf8(k), WriteOptions.DEFAULT)
                            : client.putAsync(Keys.utf8(k), v.getBytes(StandardCharsets.UTF_8), WriteOptions.DEFAULT);
                    op.whenComplete((r, e) -> {
                        if (e == null) {
                            uncertain.remove(k);
                            if (delete) {
                                oracle.remove(k);
                            } else {
                                oracle.put(k, v);
                            }
                            acknowledged.incrementAndGet();
                        } else if (!(e.getCause() instanceof EarthwoException ee && ee.code().isRetryable())) {
                            failure.compareAndSet(null, e);
                        } else {
                            uncertain.add(k);
                        }
                        inFlight.remove(k);
                        window.release();
                    });
                }
                window.acquire(32);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    /**
     * Keys whose last write's outcome was unknown (its coordinator was killed under it): the
     * oracle takes what the cluster holds for them now. Read again while polling: such a write
     * may have been committed on the killed node only, and come back with it through
     * anti-entropy (the newest version wins).
     */
    private final Set<String> uncertain = ConcurrentHashMap.newKeySet();

    private void settleUncertain(KvClient client, Map<String, String> oracle) {
        for (String k : uncertain) {
            Optional<earthwo.api.Record> r = client.get(Keys.utf8(k));
            if (r.isPresent()) {
                oracle.put(k, Keys.string(r.get().value()));
            } else {
                oracle.remove(k);
            }
        }
    }

    /** The oracle's rows of a query: (index value, key) for every record with a matching value. */
    private static List<String> oracleRows(Map<String, String> oracle, Function<String, List<String>> values,
                                           java.util.function.Predicate<String> matches,
                                           java.util.Comparator<String> valueOrder) {
        List<String[]> rows = new ArrayList<>();
        oracle.forEach((k, v) -> {
            for (String x : values.apply(v)) {
                if (matches.test(x)) {
                    rows.add(new String[] {x, k});
                }
            }
        });
        rows.sort((a, b) -> {
            int c = valueOrder.compare(a[0], b[0]);
            return c != 0 ? c : a[1].compareTo(b[1]);
        });
        return rows.stream().map(r -> r[0] + " " + r[1]).toList();
    }

    private void expect(KvClient client, IndexQuery q, Map<String, String> oracle,
                        Function<String, List<String>> values) throws InterruptedException {
        boolean numeric = q.index().equals("age");
        java.util.Comparator<String> order = numeric ? java.util.Comparator.comparingLong(Long::parseLong)
                : java.util.Comparator.naturalOrder();
        java.util.function.Predicate<String> matches = q.eq() != null ? q.eq()::equals
                : x -> (q.from() == null || order.compare(x, q.from()) >= 0) && (q.to() == null || order.compare(x, q.to()) <= 0);
        AtomicReference<List<String>> want = new AtomicReference<>();
        AtomicReference<List<String>> got = new AtomicReference<>();
        Poll.until(q + " equals the oracle", WAIT, () -> {
            settleUncertain(client, oracle);
            want.set(oracleRows(oracle, values, matches, order));
            List<String> rows = new ArrayList<>();
            IndexPage page = client.query(q);
            while (true) {
                for (IndexRow r : page.rows()) {
                    rows.add(r.indexValue() + " " + Keys.string(r.key()));
                    if (r.record() != null && !Keys.string(r.record().value()).equals(oracle.get(Keys.string(r.key())))) {
                        return false;
                    }
                }
                if (!page.hasMore()) {
                    break;
                }
                page = client.query(q.after(page.cursor()));
            }
            got.set(rows);
            return rows.equals(want.get());
        }, () -> difference(want.get(), got.get()));
        assertEquals(want.get(), got.get());
    }

    /** A few rows only one side has, for a failure's message. */
    private static String difference(List<String> want, List<String> got) {
        if (want == null || got == null) {
            return "no answer yet";
        }
        Set<String> missing = new java.util.TreeSet<>(want);
        got.forEach(missing::remove);
        Set<String> extra = new java.util.TreeSet<>(got);
        want.forEach(extra::remove);
        return want.size() + " rows wanted, " + got.size() + " answered; missing " + missing.stream().limit(5).toList()
                + ", extra " + extra.stream().limit(5).toList();
    }

    private static void pageWithWritesBetween(KvClient client, Map<String, String> oracle) {
        IndexQuery q = IndexQuery.range("age", "0", "49").limit(1_000).keysOnly(true);
        List<String> want = oracleRows(oracle, v -> field(v, "age"),
                x -> Long.parseLong(x) <= 49, java.util.Comparator.comparingLong(Long::parseLong));
        List<String> got = new ArrayList<>();
        IndexPage page = client.query(q);
        int pages = 1;
        int extra = 0;
        while (true) {
            page.rows().forEach(r -> got.add(r.indexValue() + " " + Keys.string(r.key())));
            for (int w = 0; w < 20; w++) { // new records, ages 50..99: never in the range
                String k = "late:" + pages + ":" + w;
                client.put(Keys.utf8(k), Keys.utf8("{\"age\":" + (50 + w) + "}"));
                oracle.put(k, "{\"age\":" + (50 + w) + "}");
                extra++;
            }
            if (!page.hasMore()) {
                break;
            }
            page = client.query(q.after(page.cursor()));
            pages++;
        }
        assertTrue(want.size() > 10_000, "rows in the range: " + want.size());
        assertEquals(want, got, pages + " pages, " + extra + " writes between them");
    }
}

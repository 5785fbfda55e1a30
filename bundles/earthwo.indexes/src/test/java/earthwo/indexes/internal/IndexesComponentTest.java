package earthwo.indexes.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Futures;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Segments;
import earthwo.api.Version;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.cluster.TestClusterDocuments;
import earthwo.api.cluster.TestClusterView;
import earthwo.api.indexes.IndexExtractor;
import earthwo.api.indexes.IndexInfo;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.api.indexes.IndexState;
import earthwo.api.indexes.IndexType;
import earthwo.api.storage.SegmentStore;
import earthwo.api.testing.Poll;
import earthwo.storage.internal.RealStores;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexes of one node over a real store (JE on disk), an in-memory cluster document and a
 * one-node map: definitions, backfill, writes keeping the entries, queries against a brute-force
 * oracle over the records, drops, a plug-in scheme that goes and comes, and a restart of the
 * component with writes while it was away.
 */
class IndexesComponentTest {

    private static final int SEGMENTS = 8;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    private final TestClusterDocuments documents = new TestClusterDocuments();
    private SegmentStore store;
    private IndexesComponent indexes;
    private long versions;

    @AfterEach
    void stop() {
        if (indexes != null) {
            indexes.deactivate();
        }
        if (store != null) {
            RealStores.close(store);
        }
    }

    private void start(long graceMs) {
        if (store == null) {
            store = RealStores.open(dir.resolve("store"), SEGMENTS);
        }
        List<List<Integer>> replicas = new ArrayList<>();
        for (int s = 0; s < SEGMENTS; s++) {
            replicas.add(List.of(1));
        }
        SegmentMap map = new SegmentMap(1, 1, replicas, Map.of(1, new NodeInfo(1, "127.0.0.1", 7380)));
        indexes = new IndexesComponent(store, new TestClusterView(1, map), documents,
                new IndexesSettings(graceMs, 50, 5_000, dir), clock::get);
    }

    private void put(String key, String json) {
        put(key, json, Record.NEVER);
    }

    private void put(String key, String json, long expiresAt) {
        byte[] k = Keys.utf8(key);
        store.apply(Segments.segmentOf(k, SEGMENTS), Record.value(k, json.getBytes(StandardCharsets.UTF_8),
                Version.of(clock.get(), (int) (++versions % 60_000), 1), expiresAt));
    }

    private void delete(String key) {
        byte[] k = Keys.utf8(key);
        store.apply(Segments.segmentOf(k, SEGMENTS), Record.tombstone(k, Version.of(clock.get(), (int) (++versions % 60_000), 1)));
    }

    private IndexInfo info(String name) {
        return indexes.list().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    private void awaitReady(String name) throws InterruptedException {
        Poll.until(name + " ready", WAIT, () -> info(name).state() == IndexState.READY);
    }

    private IndexPage query(IndexQuery q) {
        return Futures.join(indexes.query(q));
    }

    private static List<String> keys(IndexPage page) {
        return page.rows().stream().map(r -> Keys.string(r.key())).toList();
    }

    /** Every row of a query, page by page. */
    private List<IndexRow> all(IndexQuery q) {
        List<IndexRow> rows = new ArrayList<>();
        IndexPage page = query(q);
        rows.addAll(page.rows());
        while (page.hasMore()) {
            page = query(q.after(page.cursor()));
            rows.addAll(page.rows());
        }
        return rows;
    }

    @Test
    void anIndexDefinedOnStoredRecordsIsBuiltThenKeptByWritesAndAnswersExactly() throws Exception {
        store = RealStores.open(dir.resolve("store"), SEGMENTS);
        for (int i = 0; i < 500; i++) {
            put("user:" + i, "{\"email\":\"u" + (i % 50) + "@x\",\"age\":" + (i % 90) + ",\"tags\":[\"t" + (i % 3)
                    + "\",\"all\"]}");
        }
        start(30_000);
        IndexInfo created = indexes.create("email", "json:$.email", IndexType.STRING);
        assertEquals(IndexState.BUILDING, created.state());
        indexes.create("age", "json:$.age", IndexType.LONG);
        indexes.create("tag", "json:$.tags[*]", IndexType.STRING);
        indexes.create("tenant", "key:^([^:]+):", IndexType.STRING);
        for (String n : List.of("email", "age", "tag", "tenant")) {
            awaitReady(n);
        }
        assertEquals(500, info("email").entries());
        assertEquals(1000, info("tag").entries(), "two tags each");

        List<String> u13 = new ArrayList<>();
        for (int i = 13; i < 500; i += 50) {
            u13.add("user:" + i);
        }
        assertEquals(u13.stream().sorted().toList(), keys(query(IndexQuery.eq("email", "u13@x"))));
        IndexRow row = query(IndexQuery.eq("email", "u13@x")).rows().get(0);
        assertEquals("u13@x", row.indexValue());
        assertTrue(Keys.string(row.record().value()).contains("\"u13@x\""));
        assertNull(query(IndexQuery.eq("email", "u13@x").keysOnly(true)).rows().get(0).record());

        // Numeric order: 5 < 10 < 80, not text order.
        List<IndexRow> ages = all(IndexQuery.range("age", "5", "10").limit(7));
        assertEquals(36, ages.size(), "ages 5..10, 6 users each");
        long last = Long.MIN_VALUE;
        for (IndexRow r : ages) {
            long age = Long.parseLong(r.indexValue());
            assertTrue(age >= 5 && age <= 10 && age >= last, "order: " + r.indexValue());
            last = age;
        }
        assertEquals(500, all(IndexQuery.range("tag", "all", "all").limit(33)).size(), "paged through exactly once");
        assertEquals(500, all(IndexQuery.range("tenant", null, null).limit(1000)).size());

        // Writes keep every index: a changed email leaves the old value, a delete leaves all, an expired record vanishes.
        put("user:13", "{\"email\":\"changed@x\",\"age\":1000}");
        delete("user:113");
        put("user:213", "{\"email\":\"u13@x\",\"age\":7}", clock.get() + 1_000);
        u13.removeAll(List.of("user:13", "user:113"));
        assertEquals(u13.stream().sorted().toList(), keys(query(IndexQuery.eq("email", "u13@x"))));
        assertEquals(List.of("user:13"), keys(query(IndexQuery.eq("email", "changed@x"))));
        assertEquals(List.of("user:13"), keys(query(IndexQuery.range("age", "999", null))));
        clock.addAndGet(1_000);
        u13.remove("user:213");
        assertEquals(u13.stream().sorted().toList(), keys(query(IndexQuery.eq("email", "u13@x"))),
                "an expired record's entries are not answered before the reaper deletes it");
        for (String n : List.of("email", "age", "tag", "tenant")) {
            assertTrue(indexes.verify(n).clean(), indexes.verify(n).text());
        }
    }

    @Test
    void pagingThroughManyRowsWithWritesInBetweenAnswersEveryUnchangedRowOnce() throws Exception {
        store = RealStores.open(dir.resolve("store"), SEGMENTS);
        for (int i = 0; i < 2_000; i++) {
            put("k" + i, "{\"n\":" + (i % 97) + "}");
        }
        start(30_000);
        indexes.create("n", "json:$.n", IndexType.LONG);
        awaitReady("n");
        Random random = new Random(7);
        TreeMap<String, Integer> seen = new TreeMap<>();
        IndexQuery q = IndexQuery.range("n", null, null).limit(137).keysOnly(true);
        IndexPage page = query(q);
        int pages = 1;
        List<String> written = new ArrayList<>();
        while (true) {
            page.rows().forEach(r -> seen.merge(Keys.string(r.key()), 1, Integer::sum));
            for (int w = 0; w < 5; w++) { // new keys land before and after the cursor
                String k = "new" + random.nextInt(1_000_000);
                put(k, "{\"n\":" + random.nextInt(97) + "}");
                written.add(k);
            }
            if (!page.hasMore()) {
                break;
            }
            page = query(q.after(page.cursor()));
            pages++;
        }
        for (int i = 0; i < 2_000; i++) {
            assertEquals(1, seen.getOrDefault("k" + i, 0), "k" + i + " answered once");
        }
        seen.forEach((k, n) -> assertEquals(1, n, k + " answered once"));
        assertTrue(pages >= 15, pages + " pages");
    }

    @Test
    void badDefinitionsAndQueriesAreTypedErrorsAndChangeNothing() throws Exception {
        start(30_000);
        indexes.create("email", "json:$.email", IndexType.STRING);
        for (Runnable bad : List.<Runnable>of(
                () -> indexes.create("x", "nosuch:$.a", IndexType.STRING),
                () -> indexes.create("x", "json:$.", IndexType.STRING),
                () -> indexes.create("x", "key:([", IndexType.STRING),
                () -> indexes.create("x", "no colon", IndexType.STRING),
                () -> indexes.create("bad name", "json:$.a", IndexType.STRING),
                () -> indexes.create("email", "json:$.other", IndexType.STRING),
                () -> indexes.drop("nope"),
                () -> query(IndexQuery.eq("nope", "a")),
                () -> query(IndexQuery.range("email", "b", "a")),
                () -> query(IndexQuery.eq("email", "a").after("!!")))) {
            EarthwoException e = assertThrows(EarthwoException.class, bad::run);
            assertEquals(ErrorCode.BAD_REQUEST, e.code(), e.getMessage());
        }
        assertEquals(List.of("email"), indexes.list().stream().map(IndexInfo::name).toList());
        indexes.create("age", "json:$.age", IndexType.LONG);
        EarthwoException notNumber = assertThrows(EarthwoException.class, () -> query(IndexQuery.eq("age", "ten")));
        assertEquals(ErrorCode.BAD_REQUEST, notNumber.code());

        awaitReady("age");
        put("a", "{\"age\":\"ten\"}");
        put("b", "not json");
        put("c", "{\"age\":12}");
        assertEquals(1, info("age").typeMismatches());
        assertEquals(1, info("age").extractFailures());
        assertEquals(List.of("c"), keys(query(IndexQuery.range("age", null, null))));
    }

    @Test
    void aDroppedIndexLosesItsEntriesAndItsNameStartsCleanWithStaleCursorsRefused() throws Exception {
        store = RealStores.open(dir.resolve("store"), SEGMENTS);
        for (int i = 0; i < 300; i++) {
            put("k" + i, "{\"v\":\"a" + i + "\"}");
        }
        start(30_000);
        indexes.create("v", "json:$.v", IndexType.STRING);
        awaitReady("v");
        String cursor = query(IndexQuery.range("v", null, null).limit(10)).cursor();
        int oldId = info("v").id();
        indexes.drop("v");
        Poll.until("old entries removed", WAIT, () -> countEntries(oldId) == 0);
        indexes.create("v", "json:$.missing", IndexType.STRING);
        awaitReady("v");
        assertEquals(0, info("v").entries());
        EarthwoException stale = assertThrows(EarthwoException.class,
                () -> query(IndexQuery.range("v", null, null).after(cursor)));
        assertEquals(ErrorCode.BAD_REQUEST, stale.code());
    }

    private long countEntries(int id) {
        long n = 0;
        for (int s = 0; s < SEGMENTS; s++) {
            n += store.indexEntryCount(s, id);
        }
        return n;
    }

    /** A plug-in scheme: the value's text upper-cased. */
    private static final IndexExtractor UPPER = expression -> (key, value, sink) ->
            sink.accept(new String(value, StandardCharsets.UTF_8).toUpperCase());

    @Test
    void anIndexOnAPlugInSchemeIsUnavailableWithoutItWritesSucceedAndItIsBuiltAnewWhenItComes() throws Exception {
        start(300);
        indexes.addExtractor("upper", 1L, UPPER);
        indexes.create("up", "upper:all", IndexType.STRING);
        awaitReady("up");
        put("a", "x");
        assertEquals(List.of("a"), keys(query(IndexQuery.eq("up", "X"))));

        indexes.removeExtractor("upper", 1L);
        Poll.until("unavailable after the grace", WAIT, () -> info("up").state() == IndexState.UNAVAILABLE
                && info("up").reason().contains("no extractor of scheme 'upper'"));
        put("b", "y"); // succeeds, unindexed
        put("a", "z");
        EarthwoException partial = assertThrows(EarthwoException.class, () -> query(IndexQuery.eq("up", "Y")));
        assertEquals(ErrorCode.PARTIAL_RESULT, partial.code(), partial.getMessage());

        indexes.addExtractor("upper", 2L, UPPER);
        awaitReady("up");
        assertEquals(List.of("b"), keys(query(IndexQuery.eq("up", "Y"))));
        assertEquals(List.of("a"), keys(query(IndexQuery.eq("up", "Z"))));
        assertEquals(List.of(), keys(query(IndexQuery.eq("up", "X"))));
        assertTrue(indexes.verify("up").clean(), indexes.verify("up").text());
    }

    @Test
    void aSchemeBackWithinTheGraceCostsNoRebuildAndItsChangesAreCaughtUp() throws Exception {
        start(60_000);
        indexes.addExtractor("upper", 1L, UPPER);
        indexes.create("up", "upper:all", IndexType.STRING);
        awaitReady("up");
        indexes.removeExtractor("upper", 1L);
        Poll.until("waiting", WAIT, () -> info("up").reason().startsWith("waiting"));
        put("a", "x");
        Poll.until("the store keeps the change", WAIT, () -> store.unindexedChanges() == 1);
        indexes.addExtractor("upper", 2L, UPPER);
        Poll.until("caught up", WAIT, () -> store.unindexedChanges() == 0 && info("up").state() == IndexState.READY);
        assertEquals(List.of("a"), keys(query(IndexQuery.eq("up", "X"))));
        assertTrue(indexes.verify("up").clean());
    }

    @Test
    void writesWhileTheComponentIsAwayAreCaughtUpWhenItReturnsWithoutARebuild() throws Exception {
        start(30_000);
        indexes.create("email", "json:$.email", IndexType.STRING);
        awaitReady("email");
        put("a", "{\"email\":\"one\"}");
        indexes.deactivate();
        indexes = null;
        put("a", "{\"email\":\"two\"}");
        put("b", "{\"email\":\"one\"}");
        delete("c");
        assertEquals(3, store.unindexedChanges());

        start(30_000);
        awaitReady("email");
        Poll.until("caught up", WAIT, () -> store.unindexedChanges() == 0);
        assertEquals(0L, indexes.status().get("backfilled"), "known complete: not built again");
        assertEquals(List.of("b"), keys(query(IndexQuery.eq("email", "one"))));
        assertEquals(List.of("a"), keys(query(IndexQuery.eq("email", "two"))));
        assertTrue(indexes.verify("email").clean(), indexes.verify("email").text());
        assertEquals(Optional.of(true), Optional.of(documents.read(IndexDefinitions.DOCUMENT).isPresent()));
        assertFalse(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(n -> n.equals(IndexBuilder.THREAD_NAME)).count() > 1);
    }

    @Test
    void queriesOfAQueryThatFailsAreCompletionErrors() {
        start(30_000);
        CompletionException e = assertThrows(CompletionException.class,
                () -> indexes.query(IndexQuery.eq("none", "a")).toCompletableFuture().join());
        assertEquals(ErrorCode.BAD_REQUEST, ((EarthwoException) e.getCause()).code());
    }
}

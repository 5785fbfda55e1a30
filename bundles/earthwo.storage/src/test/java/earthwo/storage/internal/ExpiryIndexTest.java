package earthwo.storage.internal;

import earthwo.api.storage.ExpiryIndexCheck;

import static earthwo.storage.internal.StoreFixture.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.storage.ExpiryEntry;
import earthwo.api.storage.SegmentStore.ApplyResult;
import earthwo.api.testing.Poll;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The expiry index kept beside each segment's records, and the conditional apply. */
class ExpiryIndexTest {

    private static final int SEGMENTS = 4;

    @TempDir
    Path dir;

    private JeSegmentStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private void open() {
        store = StoreFixture.open(dir, SEGMENTS);
    }

    /** With the record cache on (its default share of the heap) or off: writers find the stored record either way. */
    private void open(boolean recordCache) {
        Map<String, Object> config = StoreFixture.config(dir, SEGMENTS);
        if (!recordCache) {
            config.put(StorageSettings.RECORD_CACHE_PERCENT, "0");
        }
        store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
    }

    private static Record ttl(String key, String value, long timestamp, long expiresAt) {
        return Record.value(Keys.utf8(key), Keys.utf8(value), new Version(timestamp, 1), expiresAt);
    }

    private static ExpiryEntry entry(long expiresAt, String key) {
        return new ExpiryEntry(expiresAt, Keys.utf8(key));
    }

    /** The segment's index holds exactly {@code expected}, in this order, and agrees with the records and the count. */
    private void assertIndex(int segment, List<ExpiryEntry> expected) {
        assertEquals(expected, store.expiring(segment, Long.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(expected.size(), store.expiryIndexSize(segment), "count of segment " + segment);
        ExpiryIndexCheck check = store.verifyExpiryIndex(segment);
        assertTrue(check.consistent(), check.toString());
        assertEquals(expected.size(), check.entries());
        assertEquals(expected.size(), check.recordsWithExpiry());
    }

    // ---- the index follows the records ----

    @ParameterizedTest(name = "record cache {0}")
    @ValueSource(booleans = {true, false})
    void theIndexFollowsExpiryChangesTombstonesAndPurges(boolean recordCache) {
        open(recordCache);
        assertIndex(0, List.of());
        store.apply(0, value("a", "no expiry", 1, 1));
        store.apply(0, ttl("b", "v", 1, 100));
        store.applyDeferred(0, ttl("c", "v", 1, 200));
        assertIndex(0, List.of(entry(100, "b"), entry(200, "c")));

        store.apply(0, ttl("b", "v", 2, 300));
        assertIndex(0, List.of(entry(200, "c"), entry(300, "b")));

        store.apply(0, ttl("c", "persisted", 2, Record.NEVER));
        assertIndex(0, List.of(entry(300, "b")));

        store.apply(0, ttl("a", "now expires", 2, 50));
        assertIndex(0, List.of(entry(50, "a"), entry(300, "b")));

        store.apply(0, ttl("a", "same expiry, new value", 3, 50));
        assertIndex(0, List.of(entry(50, "a"), entry(300, "b")));

        Record tomb = Record.tombstone(Keys.utf8("b"), new Version(3, 1));
        assertTrue(store.apply(0, tomb).applied());
        assertIndex(0, List.of(entry(50, "a")));

        store.apply(0, ttl("b", "back from the tombstone", 4, 70));
        assertIndex(0, List.of(entry(50, "a"), entry(70, "b")));

        assertFalse(store.purge(0, ttl("a", "", 2, 50)), "an older version is not purged");
        assertIndex(0, List.of(entry(50, "a"), entry(70, "b")));
        assertTrue(store.purge(0, ttl("a", "", 3, 50)), "purge goes by version");
        assertIndex(0, List.of(entry(70, "b")));

        store.apply(0, Record.tombstone(Keys.utf8("b"), new Version(5, 1)));
        assertTrue(store.purge(0, Record.tombstone(Keys.utf8("b"), new Version(5, 1))));
        assertIndex(0, List.of());
        assertEquals(1, store.count(0), "c is left, without expiry");
        for (int s = 1; s < SEGMENTS; s++) {
            assertIndex(s, List.of());
        }
    }

    @Test
    void aStaleApplyLeavesTheIndexAlone() {
        open();
        store.apply(1, ttl("k", "new", 20, 100));
        assertFalse(store.apply(1, ttl("k", "old", 19, 500)).applied());
        assertFalse(store.apply(1, ttl("k", "old", 19, Record.NEVER)).applied());
        assertFalse(store.apply(1, ttl("k", "same version", 20, 900)).applied());
        assertFalse(store.apply(1, Record.tombstone(Keys.utf8("k"), new Version(18, 1))).applied());
        assertIndex(1, List.of(entry(100, "k")));
    }

    @Test
    void aNegativeExpiryIsRefused() {
        open();
        EarthwoException e = assertThrows(EarthwoException.class, () -> store.apply(0, ttl("k", "v", 1, -5)));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(store.read(0, Keys.utf8("k")).isEmpty());
    }

    // ---- expiring ----

    @Test
    void expiringIsInExpiryThenKeyOrderWithInclusiveBoundAndLimit() {
        open();
        // 255 and 256 differ in their last two bytes: numeric order, not the order of the low byte
        store.apply(2, Record.value(new byte[] {(byte) 0xff}, new byte[0], new Version(1, 1), 256));
        store.apply(2, Record.value(new byte[] {0x01}, new byte[0], new Version(1, 1), 256));
        store.apply(2, Record.value(new byte[] {(byte) 0x80}, new byte[0], new Version(1, 1), 256));
        store.apply(2, ttl("x", "v", 1, 255));
        store.apply(2, ttl("y", "v", 1, 1L << 40));
        store.apply(2, ttl("z", "v", 1, 1));
        store.apply(2, value("never", "v", 1, 1));
        List<ExpiryEntry> all = List.of(entry(1, "z"), entry(255, "x"),
                new ExpiryEntry(256, new byte[] {0x01}), new ExpiryEntry(256, new byte[] {(byte) 0x80}),
                new ExpiryEntry(256, new byte[] {(byte) 0xff}), entry(1L << 40, "y"));
        assertIndex(2, all);

        assertEquals(all.subList(0, 5), store.expiring(2, 256, 100), "upTo is inclusive");
        assertEquals(all.subList(0, 2), store.expiring(2, 255, 100));
        assertEquals(all.subList(0, 1), store.expiring(2, 254, 100));
        assertEquals(List.of(), store.expiring(2, 0, 100), "nothing expires at 0 (never)");
        assertEquals(all.subList(0, 3), store.expiring(2, Long.MAX_VALUE, 3), "the limit");
        assertEquals(List.of(), store.expiring(2, Long.MAX_VALUE, 0));
        assertEquals(all, store.expiring(2, 1L << 40, 100));
        assertEquals(List.of(), store.expiring(1, Long.MAX_VALUE, 100), "other segments have their own index");

        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.expiring(2, 10, -1)).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.expiring(SEGMENTS, 10, 1)).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.expiryIndexSize(-1)).code());
    }

    // ---- conditional apply ----

    @ParameterizedTest(name = "record cache {0}")
    @ValueSource(booleans = {true, false})
    void aConditionalApplyWritesOnlyOverTheExpectedVersion(boolean recordCache) throws Exception {
        open(recordCache);
        Record v1 = ttl("k", "v1", 10, 100);
        ApplyResult absentWrong = store.applyDeferredIf(3, v1, new Version(9, 1));
        assertFalse(absentWrong.applied());
        assertNull(absentWrong.previous());
        assertTrue(store.read(3, Keys.utf8("k")).isEmpty(), "nothing written");

        ApplyResult first = store.applyDeferredIf(3, v1, Version.ZERO);
        assertTrue(first.applied());
        assertNull(first.previous());
        assertEquals(v1, store.read(3, Keys.utf8("k")).orElseThrow());

        Record v2 = ttl("k", "v1", 11, 200); // an expiry change that keeps the value
        ApplyResult second = store.applyDeferredIf(3, v2, v1.version());
        assertTrue(second.applied());
        assertEquals(v1, second.previous());
        assertIndex(3, List.of(entry(200, "k")));

        ApplyResult stale = store.applyDeferredIf(3, ttl("k", "lost race", 12, 300), v1.version());
        assertFalse(stale.applied());
        assertEquals(v2, stale.previous(), "refused with the stored record");
        ApplyResult noLongerAbsent = store.applyDeferredIf(3, ttl("k", "lost race", 12, 300), Version.ZERO);
        assertFalse(noLongerAbsent.applied());
        assertEquals(v2, noLongerAbsent.previous());

        ApplyResult older = store.applyDeferredIf(3, ttl("k", "older", 5, 300), v2.version());
        assertFalse(older.applied(), "the expected version matches, but last writer wins still holds");
        assertEquals(v2, older.previous());
        assertEquals(v2, store.read(3, Keys.utf8("k")).orElseThrow());
        assertIndex(3, List.of(entry(200, "k")));

        Record tomb = Record.tombstone(Keys.utf8("k"), new Version(13, 1));
        assertTrue(store.applyDeferredIf(3, tomb, v2.version()).applied());
        assertIndex(3, List.of());
        ApplyResult overTombstoneAsAbsent = store.applyDeferredIf(3, ttl("k", "v3", 14, 400), Version.ZERO);
        assertFalse(overTombstoneAsAbsent.applied(), "a tombstone is a stored record");
        assertEquals(tomb, overTombstoneAsAbsent.previous());
        ApplyResult overTombstone = store.applyDeferredIf(3, ttl("k", "v3", 14, 400), tomb.version());
        assertTrue(overTombstone.applied());
        assertEquals(tomb, overTombstone.previous());
        assertIndex(3, List.of(entry(400, "k")));

        store.durable().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(ErrorCode.BAD_REQUEST,
                assertThrows(EarthwoException.class, () -> store.applyDeferredIf(3, ttl("k", "v", 20, 1), null)).code());
    }

    /**
     * Read, derive, compare-and-set from several threads on one key: with the check under the
     * write's record lock no increment is lost, so the value ends equal to the successful sets.
     */
    @Test
    void concurrentConditionalAppliesLoseNoIncrement() throws Exception {
        open();
        byte[] key = Keys.utf8("counter");
        int threads = 4;
        int incrementsEach = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int node = t + 1;
                done.add(pool.submit(() -> {
                    int made = 0;
                    while (made < incrementsEach) {
                        Record stored = store.read(0, key).orElse(null);
                        long n = stored == null ? 0 : Long.parseLong(Keys.string(stored.value()));
                        Version expected = stored == null ? Version.ZERO : stored.version();
                        Record next = Record.value(key, Keys.utf8(Long.toString(n + 1)),
                                new Version(expected.timestamp() + 1, node), n % 2 == 0 ? 1_000 + n : Record.NEVER);
                        try {
                            if (store.applyDeferredIf(0, next, expected).applied()) {
                                made++;
                            }
                        } catch (EarthwoException e) {
                            assertEquals(ErrorCode.BUSY, e.code(), e.getMessage()); // lock conflicts: try again
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Record last = store.read(0, key).orElseThrow();
        assertEquals(Integer.toString(threads * incrementsEach), Keys.string(last.value()));
        assertEquals(threads * incrementsEach, last.version().timestamp());
        assertIndex(0, List.of()); // the last value (400) was stamped from an odd n: no expiry
    }

    // ---- across opens ----

    @Test
    void theIndexAndItsCountsSurviveCloseAndReopen() {
        open();
        writeMixedRecords(200);
        long[] sizes = sizes();
        List<ExpiryEntry> first = store.expiring(1, Long.MAX_VALUE, 1000);
        store.close();
        open();
        assertArrayEquals(sizes, sizes());
        assertEquals(first, store.expiring(1, Long.MAX_VALUE, 1000));
        for (int s = 0; s < SEGMENTS; s++) {
            assertTrue(store.verifyExpiryIndex(s).consistent(), "segment " + s);
        }
        store.apply(1, ttl("after reopen", "v", 1, 5));
        assertEquals(sizes[1] + 1, store.expiryIndexSize(1));
        assertEquals(sizes[0] + sizes[1] + sizes[2] + sizes[3] + 1, StorageStatus.of(store).get("expiry.index.entries"));
    }

    /**
     * A store written before there was an expiry index has none: the open builds it from the
     * records, in more than one batch for a large segment, before the first request.
     */
    @Test
    void aStoreWithoutExpiryIndexesGetsThemBuiltWhenItOpens() {
        open();
        for (int i = 0; i < ExpiryBackfill.BATCH + 1_500; i++) {
            store.applyDeferred(0, ttl("big" + i, "v", 1, i % 10 == 0 ? Record.NEVER : 10_000 + i));
        }
        store.durable().toCompletableFuture().join();
        writeMixedRecords(100);
        long[] sizes = sizes();
        List<ExpiryEntry> first = store.expiring(0, Long.MAX_VALUE, 20);
        store.close();
        removeDatabases(List.of(ExpiryIndex.databaseName(0), ExpiryIndex.databaseName(1),
                ExpiryIndex.databaseName(2), ExpiryIndex.databaseName(3)));

        assertTrue(sizes[0] > ExpiryBackfill.BATCH, "segment 0 needs more than one batch: " + sizes[0]);

        open();
        for (int s = 0; s < SEGMENTS; s++) {
            assertEquals(sizes[s], store.expiryIndexSize(s), "segment " + s);
            ExpiryIndexCheck check = store.verifyExpiryIndex(s);
            assertTrue(check.consistent(), check.toString());
            assertEquals(sizes[s], check.entries());
        }
        assertEquals(first, store.expiring(0, Long.MAX_VALUE, 20));
        assertTrue(store.environment().getDatabaseNames().stream().noneMatch(n -> n.endsWith(".building")));
    }

    /** A build cut short by a crash left its unfinished index under the temporary name: the next open starts over. */
    @Test
    void anUnfinishedBuildIsDroppedAndDoneAgain() {
        open();
        writeMixedRecords(100);
        long size = store.expiryIndexSize(2);
        store.close();
        removeDatabases(List.of(ExpiryIndex.databaseName(2)));
        withEnvironment(env -> {
            try (Database building = env.openDatabase(null, ExpiryBackfill.buildingName(2), dbConfig())) {
                building.put(null, new DatabaseEntry(ExpiryIndex.indexKey(42, Keys.utf8("no such record"))),
                        new DatabaseEntry(new byte[0]));
            }
        });

        open();
        assertEquals(size, store.expiryIndexSize(2));
        assertTrue(store.verifyExpiryIndex(2).consistent());
        assertFalse(store.environment().getDatabaseNames().contains(ExpiryBackfill.buildingName(2)));
    }

    @Test
    void theCheckFindsMissingAndExtraEntries() {
        open();
        store.apply(1, ttl("kept", "v", 1, 100));
        store.apply(1, ttl("lost", "v", 1, 200));
        store.apply(1, ttl("moved", "v", 1, 300));
        store.close();
        withEnvironment(env -> {
            try (Database index = env.openDatabase(null, ExpiryIndex.databaseName(1), dbConfig())) {
                index.delete(null, new DatabaseEntry(ExpiryIndex.indexKey(200, Keys.utf8("lost"))));
                index.delete(null, new DatabaseEntry(ExpiryIndex.indexKey(300, Keys.utf8("moved"))));
                index.put(null, new DatabaseEntry(ExpiryIndex.indexKey(301, Keys.utf8("moved"))), new DatabaseEntry(new byte[0]));
                index.put(null, new DatabaseEntry(ExpiryIndex.indexKey(5, Keys.utf8("ghost"))), new DatabaseEntry(new byte[0]));
            }
        });

        open();
        ExpiryIndexCheck check = store.verifyExpiryIndex(1);
        assertFalse(check.consistent());
        assertEquals(3, check.entries());
        assertEquals(3, check.recordsWithExpiry());
        assertEquals(2, check.missing());
        assertEquals(2, check.extra());
        assertEquals(List.of(entry(200, "lost"), entry(300, "moved")), check.missingExamples());
        assertEquals(List.of(entry(5, "ghost"), entry(301, "moved")), check.extraExamples());
        assertEquals(3, store.expiryIndexSize(1), "the count is what the index holds");
        assertTrue(store.verifyExpiryIndex(0).consistent());
    }

    /** After a failed environment is reopened, the counts are those of the index JE recovered. */
    @Test
    void aReopenedEnvironmentCountsItsIndexAnew() throws Exception {
        open();
        writeMixedRecords(100);
        long[] sizes = sizes();
        for (int i = 0; i < 40; i++) {
            store.applyDeferred(i % SEGMENTS, ttl("deferred" + i, "v", 1, 7_000 + i)); // may be lost with the failed log
        }
        EnvironmentReopenTest.failLogWrite(store);
        Poll.until("reads served again", Duration.ofSeconds(15), () -> {
            try {
                store.read(0, Keys.utf8("probe"));
                return true;
            } catch (EarthwoException e) {
                return false;
            }
        });
        for (int s = 0; s < SEGMENTS; s++) {
            ExpiryIndexCheck check = store.verifyExpiryIndex(s);
            assertTrue(check.consistent(), check.toString());
            assertEquals(check.entries(), store.expiryIndexSize(s), "segment " + s);
            assertTrue(check.entries() >= sizes[s], "acknowledged entries survive: segment " + s);
        }
    }

    // ---- helpers ----

    /** Records of every kind in all segments: without expiry, with one, changed, removed, tombstones. */
    private void writeMixedRecords(int n) {
        for (int i = 0; i < n; i++) {
            int s = i % SEGMENTS;
            String key = "m" + i;
            store.apply(s, ttl(key, "v", 1, i % 3 == 0 ? Record.NEVER : 1_000 + i));
            if (i % 5 == 0) {
                store.apply(s, ttl(key, "v", 2, 2_000 + i));
            }
            if (i % 7 == 0) {
                store.apply(s, ttl(key, "v", 3, Record.NEVER));
            }
            if (i % 11 == 0) {
                store.apply(s, Record.tombstone(Keys.utf8(key), new Version(4, 1)));
            }
        }
    }

    private long[] sizes() {
        long[] sizes = new long[SEGMENTS];
        for (int s = 0; s < SEGMENTS; s++) {
            sizes[s] = store.expiryIndexSize(s);
        }
        return sizes;
    }

    private void removeDatabases(List<String> names) {
        withEnvironment(env -> names.forEach(n -> env.removeDatabase(null, n)));
    }

    /** Runs {@code work} on the closed store's environment, opened directly with JE, as an older version would. */
    private void withEnvironment(java.util.function.Consumer<Environment> work) {
        Environment env = new Environment(dir.toFile(), new EnvironmentConfig().setTransactional(true));
        try {
            work.accept(env);
        } finally {
            env.close();
        }
    }

    private static DatabaseConfig dbConfig() {
        return new DatabaseConfig().setTransactional(true).setAllowCreate(true).setKeyPrefixing(true);
    }
}

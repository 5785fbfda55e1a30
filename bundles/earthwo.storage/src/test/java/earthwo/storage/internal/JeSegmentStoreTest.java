package earthwo.storage.internal;

import static earthwo.storage.internal.StoreFixture.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.storage.SegmentStore.ApplyResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JeSegmentStoreTest {

    @TempDir
    Path dir;

    private JeSegmentStore store;

    @BeforeEach
    void open() {
        store = StoreFixture.open(dir, 4);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void jeRunsWithTheStoresCheckpointAndCleanerSettings() {
        assertEquals("200000000", store.jeParameter(com.sleepycat.je.EnvironmentConfig.CHECKPOINTER_BYTES_INTERVAL));
        assertEquals("33", store.jeParameter(com.sleepycat.je.EnvironmentConfig.CLEANER_MIN_UTILIZATION));
    }

    // ---- last writer wins ----

    @Test
    void firstApplyStoresAndReadReturnsIt() {
        Record r = value("k", "v1", 10, 1);
        ApplyResult res = store.apply(0, r);
        assertTrue(res.applied());
        assertNull(res.previous());
        assertEquals(r, store.read(0, Keys.utf8("k")).orElseThrow());
        assertTrue(store.read(1, Keys.utf8("k")).isEmpty(), "segments are separate databases");
        assertTrue(store.read(0, Keys.utf8("other")).isEmpty());
    }

    @Test
    void newerVersionReplacesAndReturnsPrevious() {
        Record v1 = value("k", "v1", 10, 1);
        Record v2 = value("k", "v2", 11, 1);
        store.apply(0, v1);
        ApplyResult res = store.apply(0, v2);
        assertTrue(res.applied());
        assertEquals(v1, res.previous());
        assertEquals(v2, store.read(0, Keys.utf8("k")).orElseThrow());
    }

    @Test
    void olderVersionDoesNotOverwriteNewer() {
        Record newer = value("k", "new", 20, 1);
        Record older = value("k", "old", 19, 9);
        store.apply(0, newer);
        ApplyResult res = store.apply(0, older);
        assertFalse(res.applied());
        assertEquals(newer, res.previous());
        assertEquals(newer, store.read(0, Keys.utf8("k")).orElseThrow());
    }

    @Test
    void nodeIdBreaksTimestampTies() {
        store.apply(0, value("k", "a", 20, 1));
        assertTrue(store.apply(0, value("k", "b", 20, 2)).applied());
        assertFalse(store.apply(0, value("k", "c", 20, 1)).applied());
        assertEquals("b", Keys.string(store.read(0, Keys.utf8("k")).orElseThrow().value()));
    }

    @Test
    void timestampsCompareUnsigned() {
        store.apply(0, value("k", "small", 5, 1));
        assertTrue(store.apply(0, value("k", "huge", -1L, 1)).applied(), "0xffff… is the largest timestamp");
        assertFalse(store.apply(0, value("k", "small again", 6, 1)).applied());
    }

    @Test
    void equalVersionIsANoOp() {
        Record r = value("k", "v", 10, 1);
        store.apply(0, r);
        Record sameVersionOtherValue = value("k", "different", 10, 1);
        ApplyResult res = store.apply(0, sameVersionOtherValue);
        assertFalse(res.applied());
        assertEquals(r, res.previous());
        assertEquals(r, store.read(0, Keys.utf8("k")).orElseThrow());
        assertEquals(1, store.count(0));
    }

    @Test
    void newerTombstoneReplacesValueAndOlderValueCannotResurrect() {
        store.apply(0, value("k", "v", 10, 1));
        Record tomb = Record.tombstone(Keys.utf8("k"), new Version(11, 1));
        ApplyResult res = store.apply(0, tomb);
        assertTrue(res.applied());
        assertFalse(res.previous().isTombstone());
        Record stored = store.read(0, Keys.utf8("k")).orElseThrow();
        assertTrue(stored.isTombstone());
        assertEquals(0, stored.value().length);
        assertFalse(store.apply(0, value("k", "late", 10, 5)).applied());
        assertTrue(store.read(0, Keys.utf8("k")).orElseThrow().isTombstone());
        assertTrue(store.apply(0, value("k", "again", 12, 1)).applied());
        assertFalse(store.read(0, Keys.utf8("k")).orElseThrow().isTombstone());
    }

    @Test
    void olderTombstoneIsIgnored() {
        Record v = value("k", "v", 10, 1);
        store.apply(0, v);
        assertFalse(store.apply(0, Record.tombstone(Keys.utf8("k"), new Version(9, 1))).applied());
        assertEquals(v, store.read(0, Keys.utf8("k")).orElseThrow());
    }

    @Test
    void expiryIsStored() {
        Record r = Record.value(Keys.utf8("t"), Keys.utf8("v"), new Version(1, 1), 123_456L);
        store.apply(2, r);
        assertEquals(123_456L, store.read(2, Keys.utf8("t")).orElseThrow().expiresAt());
    }

    // ---- purge and count ----

    @Test
    void purgeDeletesOnlyTheSameVersion() {
        Record tomb = Record.tombstone(Keys.utf8("k"), new Version(11, 1));
        store.apply(0, tomb);
        assertFalse(store.purge(0, Record.tombstone(Keys.utf8("k"), new Version(10, 1))));
        assertFalse(store.purge(0, Record.tombstone(Keys.utf8("k"), new Version(11, 2))));
        assertTrue(store.read(0, Keys.utf8("k")).isPresent());
        assertTrue(store.purge(0, tomb));
        assertTrue(store.read(0, Keys.utf8("k")).isEmpty());
        assertFalse(store.purge(0, tomb), "nothing left to purge");
    }

    @Test
    void countFollowsInsertsAndPurges() {
        assertEquals(0, store.count(1));
        for (int i = 0; i < 50; i++) {
            store.apply(1, value("k" + i, "v", 1, 1));
        }
        store.apply(1, value("k0", "v2", 2, 1));
        assertEquals(50, store.count(1));
        store.purge(1, value("k1", "v", 1, 1));
        assertEquals(49, store.count(1));
        assertEquals(49, store.totalRecords());
    }

    @Test
    void countOfAnExistingStoreIsCountedOnFirstUse() {
        for (int i = 0; i < 30; i++) {
            store.apply(3, value("k" + i, "v", 1, 1));
        }
        store.close();
        store = StoreFixture.open(dir, 4);
        assertEquals(30, store.count(3));
        store.apply(3, value("new", "v", 1, 1));
        assertEquals(31, store.count(3));
    }

    @Test
    void theChangeCountGrowsWithEveryChangeAndOnlyThen() {
        assertEquals(0, store.changeCount(2));
        store.apply(2, value("a", "v", 5, 1));
        store.apply(2, value("a", "v2", 6, 1));
        assertEquals(2, store.changeCount(2), "an insert and an update");
        store.apply(2, value("a", "old", 4, 1));
        store.purge(2, value("a", "v", 5, 1));
        assertEquals(2, store.changeCount(2), "an older version and a purge of a replaced version change nothing");
        store.purge(2, value("a", "v2", 6, 1));
        assertEquals(3, store.changeCount(2));
        assertEquals(0, store.changeCount(1), "other segments are not touched");
        assertThrows(EarthwoException.class, () -> store.changeCount(4));
    }

    /**
     * The count of a segment is first taken by walking it, while writes go on: a write that
     * commits during that walk must be counted exactly once, or status shows a replica one record
     * short (or over) for ever. Each round reopens the store, so the first count races the writers.
     */
    @Test
    void aFirstCountTakenDuringConcurrentInsertsAndPurgesStaysExact() throws Exception {
        for (int i = 0; i < 500; i++) {
            store.apply(2, value("old" + i, "v", 1, 1));
        }
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 8; round++) {
                store.close();
                store = StoreFixture.open(dir, 4);
                int r = round;
                CountDownLatch started = new CountDownLatch(3);
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    int writer = w;
                    done.add(writers.submit(() -> {
                        started.countDown();
                        for (int i = 0; i < 300; i++) {
                            store.apply(2, value("r" + r + "w" + writer + "-" + i, "v", 1, 1));
                            if (writer == 0 && i < 100) {
                                store.purge(2, value("old" + (r * 50 + i / 2), "v", 1, 1));
                            }
                        }
                    }));
                }
                started.await();
                while (!done.stream().allMatch(Future::isDone)) {
                    store.count(2);
                }
                for (Future<?> f : done) {
                    f.get();
                }
                assertEquals(store.scan(2, null, null, Integer.MAX_VALUE).size(), store.count(2), "round " + r);
            }
        } finally {
            writers.shutdownNow();
        }
    }

    // ---- scan ----

    @Test
    void keysAreInUnsignedByteOrder() {
        byte[][] keys = {{0x01}, {0x7f}, {(byte) 0x80}, {(byte) 0xff}, {0x7f, 0x00}, {(byte) 0x80, (byte) 0xff}};
        for (byte[] k : keys) {
            store.apply(0, Record.value(k, new byte[] {1}, new Version(1, 1), 0));
        }
        List<byte[]> scanned = store.scan(0, null, null, 100).stream().map(Record::key).collect(Collectors.toList());
        assertEquals(keys.length, scanned.size());
        for (int i = 1; i < scanned.size(); i++) {
            assertTrue(Keys.compare(scanned.get(i - 1), scanned.get(i)) < 0, "unsigned order at " + i);
        }
        assertArrayEquals(new byte[] {(byte) 0xff}, scanned.get(scanned.size() - 1));
    }

    @Test
    void scanReturnsPrefixInOrderIncludingTombstones() {
        for (String k : List.of("b:2", "a:1", "b:1", "b:10", "c", "b", "b:3")) {
            store.apply(0, value(k, "v-" + k, 1, 1));
        }
        store.apply(0, Record.tombstone(Keys.utf8("b:3"), new Version(2, 1)));
        List<Record> page = store.scan(0, Keys.utf8("b:"), null, 100);
        assertEquals(List.of("b:1", "b:10", "b:2", "b:3"), keys(page));
        assertTrue(page.get(3).isTombstone());
        assertEquals("v-b:10", Keys.string(page.get(1).value()));
        assertEquals(List.of("a:1", "b", "b:1", "b:10", "b:2", "b:3", "c"), keys(store.scan(0, new byte[0], null, 100)));
        assertEquals(List.of(), keys(store.scan(0, Keys.utf8("zz"), null, 100)));
        assertEquals(List.of(), keys(store.scan(1, null, null, 100)));
    }

    @Test
    void scanContinuesStrictlyAfterStartAfterWithLimit() {
        for (int i = 0; i < 25; i++) {
            store.apply(2, value(String.format("p%02d", i), "v", 1, 1));
            store.apply(2, value(String.format("q%02d", i), "v", 1, 1));
        }
        List<String> all = new ArrayList<>();
        byte[] after = null;
        int pages = 0;
        while (true) {
            List<Record> page = store.scan(2, Keys.utf8("p"), after, 10);
            pages++;
            all.addAll(keys(page));
            if (page.size() < 10) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        assertEquals(3, pages);
        assertEquals(25, all.size());
        assertEquals("p00", all.get(0));
        assertEquals("p24", all.get(24));
        assertEquals(all.stream().sorted().collect(Collectors.toList()), all);

        assertEquals(List.of("p06", "p07"), keys(store.scan(2, Keys.utf8("p"), Keys.utf8("p05x"), 2)), "startAfter need not exist");
        assertEquals(List.of("p00"), keys(store.scan(2, Keys.utf8("p"), Keys.utf8("a"), 1)), "startAfter before the prefix");
        assertEquals(List.of(), keys(store.scan(2, Keys.utf8("p"), Keys.utf8("p24"), 5)));
        assertEquals(List.of(), keys(store.scan(2, Keys.utf8("p"), Keys.utf8("q"), 5)), "startAfter past the prefix");
        assertEquals(List.of(), keys(store.scan(2, Keys.utf8("p"), null, 0)));
        assertEquals(List.of("p24", "q00"), keys(store.scan(2, null, Keys.utf8("p23"), 2)));
        assertThrows(EarthwoException.class, () -> store.scan(2, null, null, -1));
    }

    // ---- arguments and lifecycle ----

    @Test
    void rejectsBadSegmentAndEmptyKey() {
        EarthwoException e = assertThrows(EarthwoException.class, () -> store.read(4, Keys.utf8("k")));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertThrows(EarthwoException.class, () -> store.apply(-1, value("k", "v", 1, 1)));
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.read(0, new byte[0])).code());
        assertEquals(4, store.segmentCount());
    }

    @Test
    void corruptStoredDataIsReportedNotReturned() throws Exception {
        // write raw bytes that are not an encoded record through JE itself
        store.close();
        var env = new com.sleepycat.je.Environment(dir.toFile(), new com.sleepycat.je.EnvironmentConfig().setTransactional(true));
        var cfg = new com.sleepycat.je.DatabaseConfig().setTransactional(true).setKeyPrefixing(true);
        try (var db = env.openDatabase(null, JeHandles.segmentName(0), cfg)) {
            db.put(null, new com.sleepycat.je.DatabaseEntry(Keys.utf8("bad")), new com.sleepycat.je.DatabaseEntry(new byte[] {9, 9}));
        }
        env.close();
        store = StoreFixture.open(dir, 4);
        EarthwoException e = assertThrows(EarthwoException.class, () -> store.read(0, Keys.utf8("bad")));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertTrue(e.getMessage().contains("corrupt stored record for key 'bad'"), e.getMessage());
    }

    @Test
    void reopenAfterCloseFindsAllData() {
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < 100; i++) {
                store.apply(s, value("s" + s + "-k" + i, "v" + i, i + 1, s));
            }
        }
        store.apply(1, Record.tombstone(Keys.utf8("s1-k5"), new Version(1000, 1)));
        store.close();
        store = StoreFixture.open(dir, 4);
        for (int s = 0; s < 4; s++) {
            assertEquals(100, store.count(s));
            assertEquals(100, store.scan(s, null, null, 1000).size());
            Record r = store.read(s, Keys.utf8("s" + s + "-k42")).orElseThrow();
            assertEquals("v42", Keys.string(r.value()));
            assertEquals(new Version(43, s), r.version());
        }
        assertTrue(store.read(1, Keys.utf8("s1-k5")).orElseThrow().isTombstone());
    }

    @Test
    void segmentCountMismatchFailsWithAClearMessage() {
        store.apply(0, value("k", "v", 1, 1));
        store.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StoreFixture.open(dir, 8));
        assertTrue(e.getMessage().contains("created with 4 segments"), e.getMessage());
        assertTrue(e.getMessage().contains("earthwo.segments is 8"), e.getMessage());
        // the failed open released the directory: the right count opens at once
        store = StoreFixture.open(dir, 4);
        assertEquals(1, store.count(0));
    }

    @Test
    void closedStoreIsUnavailableAndCloseIsIdempotent() {
        store.close();
        store.close();
        EarthwoException e = assertThrows(EarthwoException.class, () -> store.read(0, Keys.utf8("k")));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(EarthwoException.class, () -> store.apply(0, value("k", "v", 1, 1))).code());
    }

    // ---- deferred durability (group commit) ----

    @Test
    void aDeferredApplyIsVisibleAtOnceAndDurableCoversIt() throws Exception {
        ApplyResult r = store.applyDeferred(1, value("k", "v1", 10, 1));
        assertTrue(r.applied());
        assertEquals("v1", Keys.string(store.read(1, Keys.utf8("k")).orElseThrow().value()), "visible before durable");
        assertFalse(store.applyDeferred(1, value("k", "old", 5, 1)).applied(), "last writer wins as with apply");
        store.durable().toCompletableFuture().get(10, TimeUnit.SECONDS);
        GroupCommit group = store.groupCommit();
        assertTrue(group.groups.sum() >= 1 && group.commits.sum() >= 1,
                "one log write for the deferred commit: " + group.groups.sum() + "/" + group.commits.sum());
    }

    @Test
    void closeWritesDeferredCommitsThenDurableIsUnavailable() throws Exception {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            store.applyDeferred(i % 4, value("d" + i, "v" + i, i + 1, 1));
            pending.add(store.durable().toCompletableFuture());
        }
        store.close();
        for (CompletableFuture<Void> f : pending) {
            f.get(10, TimeUnit.SECONDS); // written, not failed, by close
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> store.durable().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, ((EarthwoException) e.getCause()).code());
        store = StoreFixture.open(dir, 4);
        for (int i = 0; i < 100; i++) {
            assertEquals("v" + i, Keys.string(store.read(i % 4, Keys.utf8("d" + i)).orElseThrow().value()));
        }
    }

    // ---- commit bursts (one log write per I/O-thread turn) ----

    @Test
    void aBurstsWritesAreDurableAtItsEndWithOneLogWriteOnTheSameThread() throws Exception {
        assertTrue(store.begin(), "write_no_sync takes part in bursts");
        assertFalse(store.begin(), "a burst is open on this thread already");
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            assertTrue(store.applyDeferred(i % 4, value("b" + i, "v" + i, i + 1, 1)).applied());
            pending.add(store.durable().toCompletableFuture());
        }
        assertEquals("v7", Keys.string(store.read(3, Keys.utf8("b7")).orElseThrow().value()), "visible before the burst ends");
        assertTrue(pending.stream().noneMatch(CompletableFuture::isDone), "nothing is acknowledged before the burst's log write");
        GroupCommit group = store.groupCommit();
        long writesBefore = group.groups.sum();
        Set<Thread> completedOn = ConcurrentHashMap.newKeySet();
        pending.forEach(f -> f.thenRun(() -> completedOn.add(Thread.currentThread())));

        store.end();

        assertTrue(pending.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()), "all durable when end returns");
        assertEquals(Set.of(Thread.currentThread()), completedOn, "completed on the burst's thread");
        assertEquals(1, group.burstWrites.sum(), "one log write for the burst");
        assertEquals(writesBefore + 1, group.groups.sum());
        assertTrue(store.begin(), "the thread keeps no trace of the ended burst");
        store.end();
        assertEquals(1, group.burstWrites.sum(), "an empty burst writes nothing");
    }

    @Test
    void otherThreadsKeepTheGroupCommitThreadDuringABurst() throws Exception {
        assertTrue(store.begin());
        CompletableFuture<Void> elsewhere = CompletableFuture.supplyAsync(() -> {
            store.applyDeferred(0, value("o", "v", 1, 1));
            return store.durable();
        }).thenCompose(d -> d).toCompletableFuture();
        elsewhere.get(10, TimeUnit.SECONDS); // would hang if the other thread's commit joined this burst
        store.end();
        assertEquals(0, store.groupCommit().burstWrites.sum());
    }

    @Test
    void aBurstEndingAfterTheStoreClosedFailsItsWritesAsUnavailable() throws Exception {
        assertTrue(store.begin());
        store.applyDeferred(2, value("c", "v", 1, 1));
        CompletableFuture<Void> durable = store.durable().toCompletableFuture();
        store.close(); // a bundle update while an I/O thread's burst is open
        store.end();
        ExecutionException e = assertThrows(ExecutionException.class, () -> durable.get(10, TimeUnit.SECONDS));
        EarthwoException typed = assertInstanceOf(EarthwoException.class, e.getCause());
        assertEquals(ErrorCode.UNAVAILABLE, typed.code(), "clients retry UNAVAILABLE: " + typed.getMessage());
        assertTrue(typed.getMessage().contains("may or may not be durable"), typed.getMessage());
        assertFalse(store.begin(), "a closed store opens no burst");
    }

    @Test
    void aSyncStoreLeavesFsyncsToItsOwnThread() throws Exception {
        reopenWithDurability("sync");
        assertFalse(store.begin(), "an fsync must not stall an event loop");
        store.applyDeferred(0, value("s", "v", 1, 1));
        store.durable().toCompletableFuture().get(10, TimeUnit.SECONDS);
        store.end();
        assertEquals(0, store.groupCommit().burstWrites.sum());
    }

    @Test
    void aNoSyncStoreNeedsNoGroupCommit() throws Exception {
        reopenWithDurability("no_sync");
        assertTrue(store.applyDeferred(0, value("n", "v", 1, 1)).applied());
        assertTrue(store.durable().toCompletableFuture().isDone(), "no_sync promises nothing more than the commit");
        assertNull(store.groupCommit());
    }

    private void reopenWithDurability(String durability) {
        store.close();
        Map<String, Object> config = StoreFixture.config(dir, 4);
        config.put(StorageSettings.DURABILITY, durability);
        store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
    }

    @Test
    void closeReleasesThreadsAndDirectoryForAnImmediateReopen() throws Exception {
        store.close();
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        for (int round = 0; round < 3; round++) {
            JeSegmentStore s = StoreFixture.open(dir, 4);
            s.apply(0, value("round", "r" + round, round + 1, 1));
            Set<Thread> during = Thread.getAllStackTraces().keySet();
            assertTrue(during.stream().anyMatch(t -> !before.contains(t)), "JE started daemon threads");
            s.close();
            assertEquals(Set.of(), newLiveThreads(before), "threads left after close");
        }
        store = StoreFixture.open(dir, 4);
        assertEquals("r2", Keys.string(store.read(0, Keys.utf8("round")).orElseThrow().value()));
    }

    private static Set<String> newLiveThreads(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Set<String> extra;
        do {
            extra = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive())
                    .map(Thread::getName)
                    .collect(Collectors.toSet());
            if (extra.isEmpty()) {
                return extra;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return extra;
    }

    // ---- concurrency ----

    @Test
    void concurrentAppliersOnOneKeyEndWithTheMaxVersion() throws Exception {
        int threads = 8;
        int writesPerThread = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (String key : List.of("hot-new", "hot-existing")) {
                if (key.equals("hot-existing")) {
                    store.apply(0, value(key, "seed", 1, 0));
                }
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Long>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int node = t + 1;
                    futures.add(pool.submit(() -> {
                        go.await();
                        long max = 0;
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        for (int i = 0; i < writesPerThread; i++) {
                            long ts = 2 + rnd.nextLong(1_000_000);
                            store.apply(0, value(key, "n" + node + "@" + ts, ts, node));
                            max = Math.max(max, ts);
                        }
                        return max;
                    }));
                }
                go.countDown();
                long max = 0;
                for (Future<Long> f : futures) {
                    max = Math.max(max, f.get(60, TimeUnit.SECONDS));
                }
                Record stored = store.read(0, Keys.utf8(key)).orElseThrow();
                assertEquals(max, stored.version().timestamp(), key);
                assertTrue(Keys.string(stored.value()).endsWith("@" + max), key);
            }
            assertEquals(2, store.count(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentInsertsOfANewKeyKeepTheNewest() throws Exception {
        // many rounds of a fresh key raced by two writers: the insert race must not lose the newer
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                String key = "race-" + round;
                CountDownLatch go = new CountDownLatch(1);
                Future<?> a = pool.submit(() -> {
                    go.await();
                    return store.apply(1, value(key, "older", 10, 1));
                });
                Future<?> b = pool.submit(() -> {
                    go.await();
                    return store.apply(1, value(key, "newer", 11, 1));
                });
                go.countDown();
                a.get(10, TimeUnit.SECONDS);
                b.get(10, TimeUnit.SECONDS);
                assertEquals("newer", Keys.string(store.read(1, Keys.utf8(key)).orElseThrow().value()), key);
            }
            assertEquals(200, store.count(1));
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> keys(List<Record> records) {
        return records.stream().map(r -> Keys.string(r.key())).collect(Collectors.toList());
    }
}

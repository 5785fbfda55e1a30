package earthwo.storage.internal;

import static earthwo.storage.internal.TestIndexEntries.FIRST_BYTE;
import static earthwo.storage.internal.TestIndexEntries.LENGTH;
import static earthwo.storage.internal.TestIndexEntries.PARTS;
import static earthwo.storage.internal.TestIndexEntries.hit;
import static earthwo.storage.internal.TestIndexEntries.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.storage.IndexHit;
import earthwo.api.storage.ReindexStep;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The secondary index entries kept beside each segment's records: in the records' transactions,
 * kept as unindexed changes while indexes are defined but none is in use (or entries cannot be
 * had) and caught up later, filled by reindex while writers go on, dropped by prefix, counted.
 */
class SecondaryIndexTest {

    private static final int SEGMENTS = 4;

    @TempDir
    Path dir;

    private JeSegmentStore store;
    /** Versions grow with every write of a test, so each write is newer than the last. */
    private final AtomicLong clock = new AtomicLong(1);

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private void open() {
        open(true);
    }

    /** With the record cache on (its default share of the heap) or off: writers find the stored record either way. */
    private void open(boolean recordCache) {
        Map<String, Object> config = StoreFixture.config(dir, SEGMENTS);
        if (!recordCache) {
            config.put(StorageSettings.RECORD_CACHE_PERCENT, "0");
        }
        store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
    }

    private void reopen() {
        store.close();
        store = null;
        open();
    }

    private Record put(String key, String value) {
        return put(key, value, Record.NEVER);
    }

    private Record put(String key, String value, long expiresAt) {
        Record r = Record.value(Keys.utf8(key), Keys.utf8(value), new Version(clock.getAndIncrement(), 1), expiresAt);
        assertTrue(store.apply(segmentOf(key), r).applied());
        return r;
    }

    private Record delete(String key) {
        Record r = Record.tombstone(Keys.utf8(key), new Version(clock.getAndIncrement(), 1));
        assertTrue(store.apply(segmentOf(key), r).applied());
        return r;
    }

    /** Keys are spread over the segments by their last character. */
    private static int segmentOf(String key) {
        return key.charAt(key.length() - 1) % SEGMENTS;
    }

    /** Catches every segment up until no key is left; returns the keys taken. */
    private long catchUpAll() {
        long taken = 0;
        for (int s = 0; s < SEGMENTS; s++) {
            int n;
            while ((n = store.catchUpIndexes(s, 7)) > 0) {
                taken += n;
            }
        }
        return taken;
    }

    // ---- entries follow the records ----

    @ParameterizedTest(name = "record cache {0}")
    @ValueSource(booleans = {true, false})
    void entriesFollowPutsOverwritesDeletesExpiriesAndPurges(boolean recordCache) {
        open(recordCache);
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(entries);
        int s = segmentOf("a");

        put("a", "x,y");
        assertEquals(List.of(hit(FIRST_BYTE, "x", "a", 0), hit(PARTS, "x", "a", 0), hit(PARTS, "y", "a", 0)), stored(store, s));

        put("a", "z,y");
        assertEquals(List.of(hit(FIRST_BYTE, "z", "a", 0), hit(PARTS, "y", "a", 0), hit(PARTS, "z", "a", 0)), stored(store, s));

        put("a", "z,y", 5_000);
        assertEquals(List.of(hit(FIRST_BYTE, "z", "a", 5_000), hit(PARTS, "y", "a", 5_000), hit(PARTS, "z", "a", 5_000)),
                stored(store, s), "the expiry moves with every entry");

        Record tomb = delete("a");
        assertEquals(List.of(), stored(store, s), "a tombstone has no entries");
        assertTrue(store.purge(s, tomb));
        assertEquals(List.of(), stored(store, s));

        Record live = put("a", "q,q");
        assertEquals(List.of(hit(FIRST_BYTE, "q", "a", 0), hit(PARTS, "q", "a", 0)), stored(store, s), "a repeated part is one entry");
        assertEquals(1, store.indexEntryCount(s, PARTS));

        // a conditional apply: an expiry change that keeps the value, and one that finds another version
        Record expiring = Record.value(live.key(), live.value(), new Version(clock.getAndIncrement(), 1), 9_000);
        assertTrue(store.applyDeferredIf(s, expiring, live.version()).applied());
        assertEquals(List.of(hit(FIRST_BYTE, "q", "a", 9_000), hit(PARTS, "q", "a", 9_000)), stored(store, s));
        Record stale = Record.value(live.key(), Keys.utf8("w"), new Version(clock.getAndIncrement(), 1), Record.NEVER);
        assertFalse(store.applyDeferredIf(s, stale, live.version()).applied());
        assertEquals(List.of(hit(FIRST_BYTE, "q", "a", 9_000), hit(PARTS, "q", "a", 9_000)), stored(store, s));

        // a live (here expired) record purged outright takes its entries with it
        assertTrue(store.purge(s, expiring));
        assertEquals(List.of(), stored(store, s));

        put("b", "m,n");
        put("c", "m");
        put("d", "");
        entries.assertIndexMatches(store);
        // a stale write changes nothing
        assertFalse(store.apply(segmentOf("b"), Record.value(Keys.utf8("b"), Keys.utf8("old"), new Version(0, 1), 0)).applied());
        entries.assertIndexMatches(store);
    }

    @Test
    void aValueWrittenAgainIsExtractedOnce() {
        open();
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(entries);
        put("k", "v1,v2");
        assertEquals(1, entries.calls.getAndSet(0), "a new key: the new value only");

        put("k", "v1,v2", 7_000);
        assertEquals(1, entries.calls.getAndSet(0), "the same value with another expiry: one extraction for both");
        assertEquals(Set.of(7_000L), expiries(stored(store, segmentOf("k"))));

        put("k", "v1,v2", 7_000);
        assertEquals(0, entries.calls.getAndSet(0), "the same value and expiry: the same entries, none asked for");

        put("k", "v3");
        assertEquals(2, entries.calls.getAndSet(0), "another value: old and new");
        delete("k");
        assertEquals(1, entries.calls.getAndSet(0), "a delete: the old value only");
        entries.assertIndexMatches(store);
    }

    private static Set<Long> expiries(List<IndexHit> hits) {
        Set<Long> out = new HashSet<>();
        hits.forEach(h -> out.add(h.expiresAt()));
        return out;
    }

    // ---- unindexed changes ----

    @Test
    void aThrowingIndexEntriesKeepsTheKeyAndTheWriteSucceeds() {
        open();
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(entries);
        put("k", "a,b");
        put("j", "c");
        int s = segmentOf("k");

        put("k", "!bad");
        assertEquals("!bad", Keys.string(store.read(s, Keys.utf8("k")).orElseThrow().value()), "the write stands");
        assertEquals(1, store.unindexedChanges());
        assertEquals(1, store.indexEntryFailures());
        assertEquals(List.of(hit(FIRST_BYTE, "a", "k", 0), hit(PARTS, "a", "k", 0), hit(PARTS, "b", "k", 0)), stored(store, s),
                "the index is left as it was");

        put("k", "!worse");
        assertEquals(1, store.unindexedChanges(), "kept once");
        assertEquals(0, store.catchUpIndexes(s, 10), "the current value still cannot be indexed: the key stays");
        assertEquals(1, store.unindexedChanges());

        put("k", "d");
        assertEquals(0, store.unindexedChanges(), "a write that can be indexed takes the key out");
        entries.assertIndexMatches(store);

        // caught up later, by an IndexEntries that can index the value
        put("j", "!x");
        assertEquals(1, store.unindexedChanges());
        TestIndexEntries lenient = entries.lenient();
        store.useIndexEntries(lenient);
        assertEquals(1, catchUpAll());
        lenient.assertIndexMatches(store);
        assertEquals(List.of(hit(FIRST_BYTE, "!", "j", 0), hit(PARTS, "!x", "j", 0)), stored(store, segmentOf("j")).stream()
                .filter(h -> Keys.string(h.key()).equals("j")).toList());
    }

    @Test
    void entriesTheStoreCannotKeepCountAsFailures() {
        open();
        store.useIndexEntries((segment, key, value) -> List.of(new byte[] {1, 2}));
        put("k", "v");
        assertEquals(1, store.unindexedChanges(), "an entry shorter than an index id");
        store.useIndexEntries((segment, key, value) -> null);
        put("j", "v");
        assertEquals(2, store.unindexedChanges(), "no list at all");
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(entries);
        assertEquals(2, catchUpAll());
        entries.assertIndexMatches(store);
    }

    @Test
    void withoutIndexesNothingIsKept() {
        open();
        put("k", "v");
        delete("k");
        assertEquals(0, store.unindexedChanges());
        assertEquals(0, store.totalIndexEntries());
        assertEquals(0, store.catchUpIndexes(0, 10), "none in use");
    }

    /**
     * Indexes defined, none in use (the indexes bundle not bound yet): every change is kept, also
     * across a reopen, and the catch-up leaves exactly the entries of the records. Some keys go
     * through "none in use, in use, none in use" before their catch-up: their entries written in
     * between must not stay behind.
     */
    @Test
    void changesWhileNoneIsInUseAreKeptAcrossReopenAndCaughtUpExactly() {
        open();
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        Random random = new Random(42);
        store.useIndexEntries(entries);
        for (int i = 0; i < 200; i++) {
            put("k" + i, "v" + i + ",p" + (i % 7));
        }
        entries.assertIndexMatches(store);

        store.noteIndexesDefined(true);
        store.useIndexEntries(null);
        Set<String> changed = new HashSet<>();
        changeRandomly(random, 150, changed);
        assertEquals(changed.size(), store.unindexedChanges());
        assertEquals(0, store.catchUpIndexes(0, 100), "no IndexEntries in use: nothing to catch up with");

        reopen(); // the store remembers that indexes are defined
        assertEquals(changed.size(), store.unindexedChanges(), "counted anew at open");
        changeRandomly(random, 100, changed);
        assertEquals(changed.size(), store.unindexedChanges());

        // in use for a while: writes of kept keys take them out
        store.useIndexEntries(entries);
        Set<String> rewritten = new HashSet<>();
        changeRandomly(random, 60, rewritten);
        store.useIndexEntries(null);
        changeRandomly(random, 60, changed);

        store.useIndexEntries(entries);
        assertTrue(catchUpAll() > 0);
        entries.assertIndexMatches(store);

        reopen();
        entries.assertIndexMatches(store); // counts taken anew at open (no IndexEntries needed to read them)
    }

    /** Overwrites, deletes, purges, expiry changes and new keys, at random; notes the keys. */
    private void changeRandomly(Random random, int changes, Set<String> keys) {
        for (int i = 0; i < changes; i++) {
            String key = "k" + random.nextInt(260);
            keys.add(key);
            int s = segmentOf(key);
            switch (random.nextInt(5)) {
                case 0 -> delete(key);
                case 1 -> {
                    Record stored = store.read(s, Keys.utf8(key)).orElse(null);
                    if (stored == null || !store.purge(s, stored)) {
                        put(key, "purge missed");
                    }
                }
                case 2 -> {
                    Record stored = store.read(s, Keys.utf8(key)).orElse(null);
                    put(key, stored == null || stored.isTombstone() ? "e" : Keys.string(stored.value()), 1_000 + random.nextInt(1000));
                }
                default -> put(key, "n" + random.nextInt(50) + ",p" + random.nextInt(5));
            }
        }
    }

    @Test
    void whileIndexesAreDefinedAWriteWithoutEntriesIsKeptFromTheFirstChange() {
        open();
        store.noteIndexesDefined(true);
        put("k", "a");
        put("k", "b");
        delete("k");
        assertEquals(1, store.unindexedChanges());
        store.noteIndexesDefined(false);
        put("j", "c");
        assertEquals(1, store.unindexedChanges(), "no longer defined: nothing more is kept");
        reopen();
        put("i", "c");
        assertEquals(1, store.unindexedChanges(), "not defined after a reopen either");
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(entries);
        assertEquals(1, catchUpAll());
        // j and i were written with no index defined and none in use: they have no entries until a reindex
        for (int s = 0; s < SEGMENTS; s++) {
            store.reindex(s, null, 100, entries);
        }
        entries.assertIndexMatches(store);
    }

    // ---- reindex ----

    @Test
    void reindexPassesTombstonesAndSaysWhenTheSegmentEnds() {
        open();
        TestIndexEntries length = TestIndexEntries.of(LENGTH);
        for (int i = 0; i < 10; i++) {
            put("r" + i + "0", "v" + i); // all in segment '0' % 4
        }
        delete("r30");
        delete("r50");
        int s = segmentOf("r00");
        ReindexStep first = store.reindex(s, null, 4, length);
        assertEquals(4, first.records());
        assertEquals("r40", Keys.string(first.lastKey()), "r30 is a tombstone: passed over, not counted");
        ReindexStep second = store.reindex(s, first.lastKey(), 4, length);
        assertEquals(4, second.records());
        assertNull(second.lastKey(), "the last record was read: done");
        assertTrue(second.done());
        assertEquals(8, store.indexEntryCount(s, LENGTH));
        ReindexStep again = store.reindex(s, null, 100, length);
        assertEquals(8, again.records());
        assertTrue(again.done());
        assertEquals(8, store.indexEntryCount(s, LENGTH), "putting entries that exist changes nothing");
        assertThrows(EarthwoException.class, () -> store.reindex(s, null, 0, length));
    }

    /**
     * A new index (id 3) is filled by reindex while two writers overwrite, delete and re-expire
     * random keys with the new set of indexes in use: at the end the entries are exactly those
     * of the records.
     */
    @Test
    void reindexUnderConcurrentWritersEndsWithExactEntries() throws Exception {
        open();
        TestIndexEntries before = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(before);
        int keys = 5_000;
        for (int i = 0; i < keys; i++) {
            put("key" + i, "v" + (i % 100) + ",w" + (i % 13));
        }
        TestIndexEntries after = TestIndexEntries.of(FIRST_BYTE, PARTS, LENGTH);
        store.useIndexEntries(after);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(2);
        List<Future<Integer>> done = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            long seed = w;
            done.add(writers.submit(() -> {
                Random random = new Random(seed);
                int n = 0;
                while (!stop.get() || n < 500) {
                    String key = "key" + random.nextInt(keys);
                    int roll = random.nextInt(10);
                    Record r = roll == 0 ? Record.tombstone(Keys.utf8(key), new Version(clock.getAndIncrement(), 1))
                            : Record.value(Keys.utf8(key), Keys.utf8("x" + random.nextInt(1000) + ",y" + roll),
                                    new Version(clock.getAndIncrement(), 1), roll == 1 ? 1_000 + random.nextInt(1000) : 0);
                    store.applyDeferred(segmentOf(key), r);
                    n++;
                }
                return n;
            }));
        }
        TestIndexEntries added = TestIndexEntries.of(LENGTH);
        int steps = 0;
        for (int s = 0; s < SEGMENTS; s++) {
            byte[] from = null;
            do {
                ReindexStep step = store.reindex(s, from, 100, added);
                from = step.lastKey();
                steps++;
            } while (from != null);
        }
        stop.set(true);
        int writes = 0;
        for (Future<Integer> f : done) {
            writes += f.get(60, TimeUnit.SECONDS);
        }
        writers.shutdown();
        assertTrue(steps >= keys / 100, "steps: " + steps);
        assertTrue(writes >= 1_000, "writes during the reindex: " + writes);
        after.assertIndexMatches(store);
        reopen();
        after.assertIndexMatches(store);
    }

    // ---- queries, drops and counts ----

    @Test
    void indexEntriesReadRangesWithLimits() {
        open();
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(entries);
        for (String k : List.of("a0", "b0", "c0", "d0")) {
            put(k, "m," + k.charAt(0)); // segment '0' % 4
        }
        int s = segmentOf("a0");
        byte[] parts = TestIndexEntries.entry(PARTS, new byte[0]);
        byte[] afterParts = TestIndexEntries.entry(PARTS + 1, new byte[0]);
        List<IndexHit> all = store.indexEntries(s, parts, afterParts, 100);
        assertEquals(List.of(hit(PARTS, "a", "a0", 0), hit(PARTS, "b", "b0", 0), hit(PARTS, "c", "c0", 0), hit(PARTS, "d", "d0", 0),
                hit(PARTS, "m", "a0", 0), hit(PARTS, "m", "b0", 0), hit(PARTS, "m", "c0", 0), hit(PARTS, "m", "d0", 0)), all);

        // exact match on "m": from the value (inclusive) to the next value (exclusive)
        byte[] m = TestIndexEntries.entry(PARTS, "m");
        byte[] n = TestIndexEntries.entry(PARTS, "n");
        assertEquals(all.subList(4, 8), store.indexEntries(s, m, n, 100));
        assertEquals(all.subList(4, 6), store.indexEntries(s, m, n, 2), "limit");

        // page on after the last hit: its entry and key, plus a zero byte
        IndexHit last = store.indexEntries(s, m, n, 2).get(1);
        byte[] next = Arrays.copyOf(SecondaryIndex.jeKey(last.entry(), last.key()), last.entry().length + last.key().length + 1);
        assertEquals(all.subList(6, 8), store.indexEntries(s, next, n, 100));

        // "to" is exclusive, on (entry, key) bytes
        assertEquals(all.subList(4, 5), store.indexEntries(s, m, SecondaryIndex.jeKey(m, Keys.utf8("b0")), 100));
        assertEquals(List.of(), store.indexEntries(s, m, m, 100));
        assertEquals(List.of(), store.indexEntries(s, m, n, 0));
        assertEquals(12, store.indexEntries(s, null, null, 100).size(), "4 first bytes and 8 parts");
        assertThrows(EarthwoException.class, () -> store.indexEntries(s, null, null, -1));
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.indexEntries(SEGMENTS, null, null, 1)).code());
    }

    @Test
    void dropIndexEntriesRemovesOneIndexInSmallSteps() {
        open();
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(entries);
        for (int i = 0; i < 500; i++) {
            put("d" + i + "0", "a,b,c" + i); // 4 entries each in segment 0
        }
        assertEquals(1_500, store.indexEntryCount(0, PARTS));
        assertEquals(500, store.indexEntryCount(0, FIRST_BYTE));
        byte[] parts = ByteBuffer.allocate(4).putInt(PARTS).array();
        assertEquals(250, store.dropIndexEntries(0, parts, 250));
        assertEquals(1_250, store.indexEntryCount(0, PARTS));
        assertEquals(1_250, store.dropIndexEntries(0, parts, Integer.MAX_VALUE));
        assertEquals(0, store.indexEntryCount(0, PARTS));
        assertEquals(0, store.dropIndexEntries(0, parts, 10));
        assertEquals(500, store.indexEntryCount(0, FIRST_BYTE), "the other index is untouched");
        assertEquals(500, stored(store, 0).size());
        TestIndexEntries.of(FIRST_BYTE).assertIndexMatches(store);
        reopen();
        assertEquals(0, store.indexEntryCount(0, PARTS));
        assertEquals(500, store.indexEntryCount(0, FIRST_BYTE));
        assertEquals(500, store.dropIndexEntries(0, new byte[0], 1_000), "an empty prefix drops every entry");
        assertEquals(0, store.totalIndexEntries());
        assertThrows(EarthwoException.class, () -> store.dropIndexEntries(0, null, 1));
    }

    @Test
    void countsAreExactAcrossReopenAndInStatus() {
        open();
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(entries);
        Random random = new Random(7);
        changeRandomly(random, 400, new HashSet<>());
        entries.assertIndexMatches(store);
        long total = 0;
        for (int s = 0; s < SEGMENTS; s++) {
            total += stored(store, s).size();
        }
        assertTrue(total > 100, "entries: " + total);
        Map<String, Object> status = StorageStatus.of(store);
        assertEquals(total, status.get("index.entries"));
        assertEquals(0L, status.get("index.unindexed"));
        reopen();
        assertEquals(total, store.totalIndexEntries());
        entries.assertIndexMatches(store);
        store.noteIndexesDefined(true);
        put("k1", "zz");
        assertEquals(1L, StorageStatus.of(store).get("index.unindexed"));
    }

    @Test
    void anEnvironmentReopenedAfterAFailureKeepsTheIndexEntriesInUse() throws Exception {
        open();
        TestIndexEntries entries = TestIndexEntries.firstByteAndParts();
        store.useIndexEntries(entries);
        put("k1", "a,b");
        EnvironmentReopenTest.failLogWrite(store);
        earthwo.api.testing.Poll.until("reopened", java.time.Duration.ofSeconds(30), () -> store.reopener().reopens() == 1);
        put("k2", "c");
        entries.assertIndexMatches(store);
        assertNotNull(store.read(segmentOf("k1"), Keys.utf8("k1")).orElse(null));
    }
}

package earthwo.storage.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

class RecordCacheTest {

    private static final int SEGMENTS = 4;
    private static final String PAD = "x".repeat(100);

    private final RecordCache cache = new RecordCache(RecordCache.MIN_CAPACITY_BYTES, SEGMENTS);

    private static byte[] key(String k) {
        return Keys.utf8(k);
    }

    /** JE data of a record with this version and value. */
    private static byte[] data(long timestamp, int node, String value) {
        return RecordCodec.encode(Record.value(key("unused"), Keys.utf8(value), new Version(timestamp, node), Record.NEVER));
    }

    @Test
    void storedRecordIsReturnedAsACopy() {
        byte[] d = data(10, 1, "v");
        cache.stored(0, key("k"), d);
        byte[] got = cache.get(0, key("k"));
        assertArrayEquals(d, got);
        got[0] = 99;
        assertArrayEquals(d, cache.get(0, key("k")), "a caller's change of the copy does not reach the cache");
    }

    @Test
    void unknownKeyIsAMissUnlessItsSegmentIsComplete() {
        assertNull(cache.get(1, key("k")));
        cache.markComplete(1);
        assertSame(RecordCache.ABSENT, cache.get(1, key("k")));
        assertNull(cache.get(2, key("k")), "completeness is per segment");
    }

    @Test
    void sameKeyInTwoSegmentsIsTwoEntries() {
        cache.stored(0, key("k"), data(10, 1, "zero"));
        cache.stored(3, key("k"), data(10, 1, "three"));
        assertArrayEquals(data(10, 1, "zero"), cache.get(0, key("k")));
        assertArrayEquals(data(10, 1, "three"), cache.get(3, key("k")));
    }

    @Test
    void fillCachesWhatARecordOrAnAbsenceReadFromTheStore() {
        long t1 = cache.ticket(0, key("present"));
        cache.fill(0, key("present"), data(5, 1, "v"), t1);
        long t2 = cache.ticket(0, key("absent"));
        cache.fill(0, key("absent"), null, t2);
        assertArrayEquals(data(5, 1, "v"), cache.get(0, key("present")));
        assertSame(RecordCache.ABSENT, cache.get(0, key("absent")));
    }

    @Test
    void fillIsDroppedWhenAWriteReportedAChangeAfterTheTicket() {
        long ticket = cache.ticket(0, key("k"));
        // The reader read JE before this write committed, so what it read is older.
        cache.stored(0, key("k"), data(20, 1, "new"));
        cache.invalidate(0, key("k")); // even if the new entry is gone again
        cache.fill(0, key("k"), data(10, 1, "old"), ticket);
        assertNull(cache.get(0, key("k")), "the stale read was not cached");
    }

    @Test
    void fillDoesNotReplaceACachedEntry() {
        cache.stored(0, key("k"), data(20, 1, "new"));
        long ticket = cache.ticket(0, key("k"));
        cache.fill(0, key("k"), null, ticket);
        assertArrayEquals(data(20, 1, "new"), cache.get(0, key("k")));
    }

    @Test
    void commitsReportedOutOfOrderKeepTheNewerVersion() {
        cache.stored(0, key("k"), data(20, 1, "newer"));
        cache.stored(0, key("k"), data(19, 7, "older"));
        assertArrayEquals(data(20, 1, "newer"), cache.get(0, key("k")));
        cache.stored(0, key("k"), data(20, 2, "tie broken by node"));
        assertArrayEquals(data(20, 2, "tie broken by node"), cache.get(0, key("k")));
        cache.stored(0, key("k"), data(-1L, 1, "unsigned max"));
        assertArrayEquals(data(-1L, 1, "unsigned max"), cache.get(0, key("k")));
    }

    @Test
    void aRecordReplacesACachedAbsence() {
        cache.fill(0, key("k"), null, cache.ticket(0, key("k")));
        cache.stored(0, key("k"), data(1, 1, "v"));
        assertArrayEquals(data(1, 1, "v"), cache.get(0, key("k")));
    }

    @Test
    void purgeRemovesOnlyTheVersionItPurged() {
        cache.stored(0, key("k"), data(20, 1, "v"));
        cache.purged(0, key("k"), data(19, 1, "v"));
        assertArrayEquals(data(20, 1, "v"), cache.get(0, key("k")), "a purge of an older version leaves the newer one");
        cache.purged(0, key("k"), data(20, 1, "v"));
        assertNull(cache.get(0, key("k")));
    }

    @Test
    void purgeKeepsASegmentComplete() {
        cache.markComplete(0);
        cache.stored(0, key("k"), data(20, 1, "v"));
        cache.purged(0, key("k"), data(20, 1, "v"));
        assertTrue(cache.isComplete(0));
        assertSame(RecordCache.ABSENT, cache.get(0, key("k")));
    }

    @Test
    void invalidateForgetsTheKeyAndEndsCompleteness() {
        cache.markComplete(0);
        cache.stored(0, key("k"), data(20, 1, "v"));
        cache.invalidate(0, key("k"));
        assertFalse(cache.isComplete(0));
        assertNull(cache.get(0, key("k")), "the store must be asked");
    }

    @Test
    void aRecordTooLargeToCacheIsNotCachedAndEndsCompleteness() {
        cache.markComplete(2);
        cache.stored(2, key("big"), data(1, 1, "small"));
        byte[] huge = RecordCodec.encode(Record.value(key("big"), new byte[(int) (RecordCache.MIN_CAPACITY_BYTES / RecordCache.STRIPES)],
                new Version(2, 1), Record.NEVER));
        cache.stored(2, key("big"), huge);
        assertNull(cache.get(2, key("big")), "neither the old nor the new record is answered");
        assertFalse(cache.isComplete(2));
    }

    @Test
    void evictionOfRecordsEndsCompletenessButEveryAnswerStaysRight() {
        for (int s = 0; s < SEGMENTS; s++) {
            cache.markComplete(s);
        }
        int keys = 50_000; // 100-byte values: about twice what the smallest cache holds
        for (int i = 0; i < keys; i++) {
            cache.stored(i % SEGMENTS, key("key-" + i), data(i + 1, 1, "value-" + i + PAD));
        }
        RecordCache.Stats stats = cache.stats();
        assertTrue(stats.evictions() > 0, "the cache had to evict: " + stats);
        assertTrue(stats.allocatedBytes() <= stats.capacityBytes(), stats.toString());
        int cached = 0;
        for (int i = 0; i < keys; i++) {
            byte[] got = cache.get(i % SEGMENTS, key("key-" + i));
            assertFalse(got == RecordCache.ABSENT, "key-" + i + " was stored, never absent");
            if (got != null) {
                assertArrayEquals(data(i + 1, 1, "value-" + i + PAD), got, "key-" + i);
                cached++;
            }
        }
        assertEquals(stats.entries(), cached);
        byte[] last = cache.get((keys - 1) % SEGMENTS, key("key-" + (keys - 1)));
        assertArrayEquals(data(keys, 1, "value-" + (keys - 1) + PAD), last, "the newest entry is kept (first in, first out)");
        for (int s = 0; s < SEGMENTS; s++) {
            assertFalse(cache.isComplete(s), "segment " + s + " lost records");
        }
    }

    @Test
    void fillTellsWhetherTheKeyIsCachedNow() {
        long ticket = cache.ticket(0, key("a"));
        assertTrue(cache.fill(0, key("a"), data(1, 1, "v"), ticket), "cached");
        assertTrue(cache.fill(0, key("a"), data(1, 1, "v"), ticket), "cached already");
        long stale = cache.ticket(0, key("b"));
        cache.stored(0, key("a"), data(2, 1, "w")); // same stripe or not: this key's ticket may be stale now
        boolean sameStripe = cache.ticket(0, key("b")) != stale;
        assertEquals(!sameStripe, cache.fill(0, key("b"), data(1, 1, "v"), stale), "dropped only after a change of its stripe");
        byte[] huge = RecordCodec.encode(Record.value(key("big"), new byte[(int) (RecordCache.MIN_CAPACITY_BYTES / RecordCache.STRIPES)],
                new Version(2, 1), Record.NEVER));
        assertFalse(cache.fill(1, key("big"), huge, cache.ticket(1, key("big"))), "too large to cache");
    }

    @Test
    void aLoadedSegmentIsCompleteAndAnswersUnknownKeysAsAbsent() {
        assertTrue(cache.beginLoad(1));
        assertFalse(cache.beginLoad(1), "one load at a time");
        assertTrue(cache.fill(1, key("k"), data(1, 1, "v"), cache.ticket(1, key("k"))));
        assertNull(cache.get(1, key("other")), "not complete while loading");
        assertTrue(cache.endLoad(1, true));
        assertTrue(cache.isComplete(1));
        assertSame(RecordCache.ABSENT, cache.get(1, key("other")));
        assertEquals(1, cache.stats().completeSegments());
        assertFalse(cache.beginLoad(1), "complete already");
    }

    @Test
    void aLoadThatMissedARecordLeavesTheSegmentIncompleteAndMayBeginAgain() {
        assertTrue(cache.beginLoad(2));
        assertFalse(cache.endLoad(2, false));
        assertFalse(cache.isComplete(2));
        assertTrue(cache.beginLoad(2), "may be loaded again");
        assertTrue(cache.endLoad(2, true));
    }

    @Test
    void aRecordDroppedDuringTheLoadKeepsTheSegmentIncomplete() {
        assertTrue(cache.beginLoad(3));
        cache.fill(3, key("k"), data(1, 1, "v"), cache.ticket(3, key("k")));
        cache.invalidate(3, key("k")); // a failed write: the loaded record is gone again
        assertFalse(cache.endLoad(3, true), "the loader cached every record it walked, but one was dropped since");
        assertFalse(cache.isComplete(3));
        assertNull(cache.get(3, key("other")));
    }

    @Test
    void anEvictionDuringTheLoadKeepsTheSegmentIncomplete() {
        assertTrue(cache.beginLoad(0));
        int i = 0;
        while (cache.stats().evictions() == 0) {
            String k = "key-" + i++;
            cache.fill(0, key(k), data(1, 1, k + PAD), cache.ticket(0, key(k)));
        }
        assertFalse(cache.endLoad(0, true));
        assertNull(cache.get(0, key("never-written")), "an uncached key may be in the store");
        RecordCache.Stats stats = cache.stats();
        assertTrue(stats.usedBytes() > 0 && stats.usedBytes() <= stats.allocatedBytes(), stats.toString());
    }

    /**
     * Random writes, purges, fills and invalidations of few keys in a small cache (so rings grow,
     * wrap and evict) against a map of what the store would hold: a cached answer must always be
     * the store's, and a complete segment must answer every key.
     */
    @Test
    void randomOperationsNeverAnswerOtherThanTheStoreHolds() {
        Random random = new Random(42);
        runRandomOperations(cache, random, 400_000, () -> "k" + random.nextInt(3_000), () -> random.nextInt(300));
        RecordCache.Stats stats = cache.stats();
        assertTrue(stats.evictions() > 0 && stats.hits() > 0 && stats.knownAbsent() > 0, stats.toString());
    }

    /**
     * The same with records from empty to beyond the largest a ring takes (an eighth of a stripe)
     * and keys of many lengths, so that entries skip a ring's end, fill it exactly and are refused.
     */
    @Test
    void recordsAroundTheSizeLimitAndKeysOfManyLengthsNeverAnswerWrong() {
        for (long seed = 0; seed < 10; seed++) {
            RecordCache small = new RecordCache(RecordCache.MIN_CAPACITY_BYTES, SEGMENTS);
            Random random = new Random(seed);
            runRandomOperations(small, random, 100_000, () -> "k" + random.nextInt(500) + "x".repeat(random.nextInt(40)),
                    () -> random.nextInt(4) == 0 ? random.nextInt(9_000) : random.nextInt(200));
        }
    }

    private static void runRandomOperations(RecordCache cache, Random random, int operations, Supplier<String> keys,
                                            IntSupplier valueSizes) {
        Map<String, byte[]> store = new HashMap<>(); // "segment/key" -> data
        for (int s = 0; s < SEGMENTS; s++) {
            cache.markComplete(s);
        }
        long clock = 1;
        for (int op = 0; op < operations; op++) {
            int segment = random.nextInt(SEGMENTS);
            String k = keys.get();
            String id = segment + "/" + k;
            byte[] stored = store.get(id);
            switch (random.nextInt(10)) {
                case 0, 1, 2, 3 -> {
                    byte[] d = data(clock++, 1, "x".repeat(valueSizes.getAsInt()));
                    store.put(id, d);
                    cache.stored(segment, key(k), d);
                }
                case 4 -> {
                    if (stored != null) {
                        store.remove(id);
                        cache.purged(segment, key(k), stored);
                    }
                }
                case 5 -> cache.fill(segment, key(k), stored, cache.ticket(segment, key(k)));
                case 6 -> {
                    if (random.nextInt(100) == 0) {
                        cache.invalidate(segment, key(k));
                    }
                }
                default -> {
                    byte[] got = cache.get(segment, key(k));
                    if (got == RecordCache.ABSENT) {
                        assertNull(stored, id + " answered absent at op " + op);
                    } else if (got != null) {
                        assertArrayEquals(stored, got, id + " at op " + op);
                    } else {
                        assertFalse(cache.isComplete(segment), id + " not answered by a complete segment at op " + op);
                    }
                }
            }
        }
    }

    @Test
    void tooSmallACapacityIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RecordCache(RecordCache.MIN_CAPACITY_BYTES - 1, 1));
    }
}

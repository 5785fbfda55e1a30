package earthwo.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.storage.IndexEntries;
import earthwo.api.storage.IndexHit;
import earthwo.api.storage.SegmentStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link IndexEntries} for tests, with up to three indexes: id 1 takes the value's first byte,
 * id 2 each comma-separated part of the value (several entries per record, repeated parts
 * included), id 3 the value's length. It counts its calls and, unless made {@link #lenient},
 * throws for values that start with {@code !}. {@link #assertIndexMatches} compares what a store holds with entries computed
 * afresh from all its records.
 */
final class TestIndexEntries implements IndexEntries {

    static final int FIRST_BYTE = 1;
    static final int PARTS = 2;
    static final int LENGTH = 3;
    private static final int[] ALL_IDS = {FIRST_BYTE, PARTS, LENGTH};

    private final Set<Integer> ids;
    private final boolean throwsOnBang;
    final AtomicInteger calls = new AtomicInteger();

    private TestIndexEntries(Set<Integer> ids, boolean throwsOnBang) {
        this.ids = ids;
        this.throwsOnBang = throwsOnBang;
    }

    private TestIndexEntries(Set<Integer> ids) {
        this(ids, true);
    }

    /** The same indexes, indexing values that start with {@code !} as any other. */
    TestIndexEntries lenient() {
        return new TestIndexEntries(ids, false);
    }

    /** Indexes 1 and 2. */
    static TestIndexEntries firstByteAndParts() {
        return new TestIndexEntries(Set.of(FIRST_BYTE, PARTS));
    }

    /** The indexes with these ids. */
    static TestIndexEntries of(Integer... ids) {
        return new TestIndexEntries(Set.of(ids));
    }

    @Override
    public List<byte[]> entriesOf(int segment, byte[] key, byte[] value) {
        calls.incrementAndGet();
        if (throwsOnBang && value.length > 0 && value[0] == '!') {
            throw new IllegalStateException("test: values starting with ! cannot be indexed");
        }
        return entries(value);
    }

    private List<byte[]> entries(byte[] value) {
        List<byte[]> out = new ArrayList<>();
        if (ids.contains(FIRST_BYTE) && value.length > 0) {
            out.add(entry(FIRST_BYTE, new byte[] {value[0]}));
        }
        if (ids.contains(PARTS)) {
            for (String part : new String(value, StandardCharsets.UTF_8).split(",")) {
                if (!part.isEmpty()) {
                    out.add(entry(PARTS, part.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        if (ids.contains(LENGTH)) {
            out.add(entry(LENGTH, ByteBuffer.allocate(4).putInt(value.length).array()));
        }
        return out;
    }

    static byte[] entry(int indexId, byte[] value) {
        return ByteBuffer.allocate(4 + value.length).putInt(indexId).put(value).array();
    }

    static byte[] entry(int indexId, String value) {
        return entry(indexId, Keys.utf8(value));
    }

    static IndexHit hit(int indexId, String value, String key, long expiresAt) {
        return new IndexHit(entry(indexId, value), Keys.utf8(key), expiresAt);
    }

    /** Every stored index entry of the segment, in order. */
    static List<IndexHit> stored(SegmentStore store, int segment) {
        return store.indexEntries(segment, null, null, Integer.MAX_VALUE);
    }

    /** The entries the segment's live records have with these indexes, computed from the records. */
    Set<IndexHit> expected(SegmentStore store, int segment) {
        Set<IndexHit> out = new HashSet<>();
        for (Record r : store.scan(segment, null, null, Integer.MAX_VALUE)) {
            if (!r.isTombstone()) {
                for (byte[] e : entries(r.value())) {
                    out.add(new IndexHit(e, r.key(), r.expiresAt()));
                }
            }
        }
        return out;
    }

    /**
     * The store holds exactly the entries its records give with these indexes (expiries
     * included), in every segment, no key is waiting for a catch-up, and the counts per segment
     * and index are those of the entries.
     */
    void assertIndexMatches(SegmentStore store) {
        assertEquals(0, store.unindexedChanges(), "keys waiting for a catch-up");
        for (int s = 0; s < store.segmentCount(); s++) {
            List<IndexHit> stored = stored(store, s);
            Set<IndexHit> expected = expected(store, s);
            assertEquals(expected, new HashSet<>(stored), "the entries of segment " + s);
            assertEquals(expected.size(), stored.size(), "no entry twice in segment " + s);
            Map<Integer, Long> byId = new HashMap<>();
            for (IndexHit h : stored) {
                byId.merge(ByteBuffer.wrap(h.entry()).getInt(), 1L, Long::sum);
            }
            for (int id : ALL_IDS) {
                assertEquals(byId.getOrDefault(id, 0L), store.indexEntryCount(s, id), "the count of index " + id + " in segment " + s);
            }
        }
    }

    @Override
    public String toString() {
        return "TestIndexEntries" + ids;
    }
}

package earthwo.ttl.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.storage.ExpiryEntry;
import earthwo.api.storage.SegmentStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link SegmentStore} with an expiry index kept as the real one is (one entry per
 * stored record with an expiry, in (expiresAt, key) order), plus a way to plant an index entry
 * that no longer matches its record: the race a reader of the real index must expect.
 */
final class FakeStore implements SegmentStore {

    private static final Comparator<ExpiryEntry> ORDER = Comparator.comparingLong(ExpiryEntry::expiresAt)
            .thenComparing(ExpiryEntry::key, Keys::compare);

    private final int segments;
    private final List<TreeMap<byte[], Record>> records = new ArrayList<>();
    private final List<TreeSet<ExpiryEntry>> index = new ArrayList<>();
    private final Map<String, Integer> segmentOfKey = new HashMap<>();
    final AtomicInteger expiringCalls = new AtomicInteger();
    /** When set, every read of the index throws it (a store that is reopening). */
    volatile RuntimeException failure;

    FakeStore(int segments) {
        this.segments = segments;
        for (int s = 0; s < segments; s++) {
            records.add(new TreeMap<>(Keys::compare));
            index.add(new TreeSet<>(ORDER));
        }
    }

    /** Stores the record as it is (no version check), keeping the index in step. */
    synchronized void put(int segment, Record r) {
        Record before = records.get(segment).put(r.key(), r);
        if (before != null && before.expiresAt() != Record.NEVER) {
            index.get(segment).remove(new ExpiryEntry(before.expiresAt(), before.key()));
        }
        if (r.expiresAt() != Record.NEVER) {
            index.get(segment).add(new ExpiryEntry(r.expiresAt(), r.key()));
        }
        segmentOfKey.put(Keys.string(r.key()), segment);
    }

    /** An index entry with no matching record. */
    synchronized void plantIndexEntry(int segment, long expiresAt, byte[] key) {
        index.get(segment).add(new ExpiryEntry(expiresAt, key));
        segmentOfKey.put(Keys.string(key), segment);
    }

    synchronized int segmentOf(byte[] key) {
        return segmentOfKey.get(Keys.string(key));
    }

    @Override
    public synchronized Optional<Record> read(int segment, byte[] key) {
        return Optional.ofNullable(records.get(segment).get(key));
    }

    @Override
    public synchronized ApplyResult apply(int segment, Record record) {
        Record before = records.get(segment).get(record.key());
        if (before != null && !record.version().isNewerThan(before.version())) {
            return new ApplyResult(false, before);
        }
        put(segment, record);
        return new ApplyResult(true, before);
    }

    @Override
    public synchronized List<Record> scan(int segment, byte[] prefix, byte[] startAfter, int limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized List<ExpiryEntry> expiring(int segment, long upTo, int limit) {
        expiringCalls.incrementAndGet();
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
        List<ExpiryEntry> out = new ArrayList<>();
        for (ExpiryEntry e : index.get(segment)) {
            if (e.expiresAt() > upTo || out.size() >= limit) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized long expiryIndexSize(int segment) {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
        return index.get(segment).size();
    }

    @Override
    public synchronized boolean purge(int segment, Record record) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized long count(int segment) {
        return records.get(segment).size();
    }

    @Override
    public int segmentCount() {
        return segments;
    }

    /** Live (not tombstoned) records of a segment. */
    synchronized long live(int segment) {
        return records.get(segment).values().stream().filter(r -> !r.isTombstone()).count();
    }
}

package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;
import static earthwo.storage.internal.JeEntries.seek;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Get;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationResult;
import com.sleepycat.je.OperationStatus;

import earthwo.api.Keys;
import earthwo.api.Record;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A store's reads and scans, with the record cache in front of JE when it is on. A read that
 * misses takes a ticket before it reads JE, so its fill is dropped if a write raced it (see
 * {@link RecordCache#ticket}); a scan walks JE's keys and takes each record from the cache when
 * it holds it. Runs inside the store's {@link JeOperationGuard}.
 */
final class SegmentReads {

    private final Database[] segments;
    /** Null when the record cache is off. */
    private final RecordCache recordCache;

    SegmentReads(Database[] segments, RecordCache recordCache) {
        this.segments = segments;
        this.recordCache = recordCache;
    }

    Optional<Record> read(int segment, byte[] key) {
        if (recordCache == null) {
            return decoded(key, readJe(segment, key));
        }
        byte[] cached = recordCache.get(segment, key);
        if (cached != null) {
            return decoded(key, cached == RecordCache.ABSENT ? null : cached);
        }
        long ticket = recordCache.ticket(segment, key);
        byte[] data = readJe(segment, key);
        recordCache.fill(segment, key, data, ticket);
        return decoded(key, data);
    }

    /** The JE data stored for the key, or null. */
    private byte[] readJe(int segment, byte[] key) {
        DatabaseEntry data = new DatabaseEntry();
        OperationStatus st = segments[segment].get(null, new DatabaseEntry(key), data, LockMode.READ_COMMITTED);
        return st == OperationStatus.SUCCESS ? bytes(data) : null;
    }

    private static Optional<Record> decoded(byte[] key, byte[] data) {
        return data == null ? Optional.empty() : Optional.of(RecordCodec.decode(key.clone(), data));
    }

    /**
     * Up to {@code limit} (not negative) records of the segment whose keys start with
     * {@code pre}, in key order, after key {@code startAfter} (null: from the first).
     */
    List<Record> scan(int segment, byte[] pre, byte[] startAfter, int limit) {
        List<Record> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit == 0) {
            return out;
        }
        byte[] start = pre;
        boolean skipStart = false;
        if (startAfter != null && Keys.compare(startAfter, pre) >= 0) {
            start = startAfter;
            skipStart = true;
        }
        DatabaseEntry key = new DatabaseEntry();
        // With the record cache the cursor moves key-only and the records come from the cache.
        DatabaseEntry data = recordCache == null ? new DatabaseEntry() : null;
        try (Cursor cursor = segments[segment].openCursor(null, CursorConfig.READ_COMMITTED)) {
            OperationResult at = seek(cursor, key, data, start);
            while (at != null && out.size() < limit) {
                byte[] k = bytes(key);
                if (!Keys.hasPrefix(k, pre)) {
                    break;
                }
                if (!(skipStart && Arrays.equals(k, startAfter))) {
                    byte[] stored = data != null ? bytes(data) : cachedOrCurrent(cursor, segment, k);
                    if (stored != null) {
                        out.add(RecordCodec.decode(k, stored));
                    }
                }
                at = cursor.get(key, data, Get.NEXT, null);
            }
        }
        return out;
    }

    /**
     * With the record cache: the data of the record under a scan's cursor (moved there
     * key-only), or null if it was deleted meanwhile. From the cache when it holds the key: JE
     * keeps no records in its cache then, and reading each from JE's log made a scan of a busy
     * segment so slow that anti-entropy passes kept meeting the writes made during them.
     */
    private byte[] cachedOrCurrent(Cursor cursor, int segment, byte[] key) {
        byte[] cached = recordCache.peek(segment, key);
        if (cached != null && cached != RecordCache.ABSENT) {
            return cached;
        }
        DatabaseEntry data = new DatabaseEntry();
        return cursor.get(null, data, Get.CURRENT, null) == null ? null : bytes(data);
    }
}

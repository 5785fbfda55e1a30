package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Get;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.ReadOptions;

/**
 * Reads records under their write lock, the way every writer does: with the record cache on, the
 * cursor moves key-only and the data comes from the cache when it holds the key. Under the lock
 * the cache is current (writers tell it before they commit, see {@link SegmentWrites#applyOnce}),
 * and JE, which keeps no records in its own cache then, need not read the record from its log.
 */
final class LockedRecords {

    static final ReadOptions RMW = new ReadOptions().setLockMode(LockMode.RMW);

    /** Null when the record cache is off. */
    private final RecordCache recordCache;

    LockedRecords(RecordCache recordCache) {
        this.recordCache = recordCache;
    }

    /** Moves the cursor to the key, write-locking it, and returns its stored data (null if none). */
    byte[] search(Cursor cursor, int segment, DatabaseEntry key) {
        if (recordCache == null) {
            DatabaseEntry data = new DatabaseEntry();
            return cursor.getSearchKey(key, data, LockMode.RMW) == OperationStatus.SUCCESS ? bytes(data) : null;
        }
        boolean exists = cursor.get(key, null, Get.SEARCH, RMW) != null;
        byte[] cached = recordCache.peek(segment, key.getData());
        if (cached != null && (cached != RecordCache.ABSENT) == exists) {
            return exists ? cached : null;
        }
        if (!exists) {
            return null;
        }
        return current(cursor);
    }

    /**
     * Moves the cursor to the next record after its position, or to the first at or after
     * {@code from} (empty: the segment's first) when {@code from} is not null, write-locking it;
     * puts its key into {@code key} and returns its data, or null when there is no such record.
     */
    byte[] next(Cursor cursor, int segment, DatabaseEntry key, byte[] from) {
        DatabaseEntry data = recordCache == null ? new DatabaseEntry() : null;
        Get how = Get.NEXT;
        if (from != null) {
            how = from.length == 0 ? Get.FIRST : Get.SEARCH_GTE;
            if (from.length > 0) {
                key.setData(from);
            }
        }
        if (cursor.get(key, data, how, RMW) == null) {
            return null;
        }
        if (data != null) {
            return bytes(data);
        }
        byte[] cached = recordCache.peek(segment, bytes(key));
        return cached != null && cached != RecordCache.ABSENT ? cached : current(cursor);
    }

    private static byte[] current(Cursor cursor) {
        DatabaseEntry data = new DatabaseEntry();
        cursor.get(null, data, Get.CURRENT, RMW);
        return bytes(data);
    }
}

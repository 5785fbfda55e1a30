package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;
import static earthwo.storage.internal.JeEntries.seek;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Get;
import com.sleepycat.je.LockConflictException;
import com.sleepycat.je.OperationResult;

import java.util.Arrays;

/**
 * The JE side of the record cache's warm-up ({@link RecordCacheWarmup}): each step walks a batch
 * of a segment's records and caches them, as an operation of the store (close waits for it).
 */
final class JeWarmupLoader implements RecordCacheWarmup.Loader {

    /** Reads of one record by the warm-up before it gives up caching it (each dropped because a write raced it). */
    private static final int WARM_FILL_ATTEMPTS = 3;

    private final JeOperationGuard guard;
    private final Database[] segments;
    private final RecordCache recordCache;

    JeWarmupLoader(JeOperationGuard guard, Database[] segments, RecordCache recordCache) {
        this.guard = guard;
        this.segments = segments;
        this.recordCache = recordCache;
    }

    /**
     * Caches up to {@code max} records of the segment that follow key {@code after} (null: from
     * its first key). The cursor moves key-only; each record is then read with a ticket taken
     * first, exactly as a read that missed, so a fill that may have raced a write is dropped
     * (and tried again).
     */
    @Override
    public RecordCacheWarmup.Step load(int segment, byte[] after, int max) {
        return guard.guarded(segment, "warm-up", () -> {
            DatabaseEntry key = new DatabaseEntry();
            DatabaseEntry data = new DatabaseEntry();
            int cached = 0;
            boolean everyRecordCached = true;
            byte[] last = null;
            try (Cursor cursor = segments[segment].openCursor(null, CursorConfig.READ_COMMITTED)) {
                OperationResult at = seek(cursor, key, null, after == null ? new byte[0] : after);
                if (at != null && after != null && Arrays.equals(bytes(key), after)) {
                    at = cursor.get(key, null, Get.NEXT, null);
                }
                for (int walked = 0; at != null && walked < max; walked++) {
                    last = bytes(key);
                    if (fillFromCursor(cursor, segment, last, data)) {
                        cached++;
                    } else {
                        everyRecordCached = false;
                    }
                    at = cursor.get(key, null, Get.NEXT, null);
                }
                return new RecordCacheWarmup.Step(at == null ? null : last, cached, everyRecordCached);
            }
        });
    }

    /** Caches the record under the cursor; false if it could not (too large, or writes kept racing the read). */
    private boolean fillFromCursor(Cursor cursor, int segment, byte[] key, DatabaseEntry data) {
        for (int attempt = 0; attempt < WARM_FILL_ATTEMPTS; attempt++) {
            long ticket = recordCache.ticket(segment, key);
            try {
                if (cursor.get(null, data, Get.CURRENT, null) == null) {
                    return true; // purged since the cursor's step; the purge told the cache
                }
            } catch (LockConflictException e) {
                continue; // a writer held the record too long; its commit told the cache
            }
            if (recordCache.fill(segment, key, bytes(data), ticket)) {
                return true;
            }
        }
        return false;
    }
}

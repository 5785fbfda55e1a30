package earthwo.storage.internal;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Get;
import com.sleepycat.je.OperationResult;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many secondary index entries each (segment, index id) has, and all segments together:
 * counted from the index databases when the environment opens (no writer runs then), then moved
 * by each committed change ({@link #committed}), as {@link ExpiryIndex}'s counts are, so each
 * opening starts from what JE really holds.
 */
final class IndexEntryCounts {

    /** (segment, index id) → entries; see {@link #slot}. */
    private final ConcurrentHashMap<Long, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();

    /**
     * Counts the entries of every segment's index database by index id (the first 4 bytes of each
     * JE key): a key-only walk, without locks, as nothing else runs yet.
     */
    IndexEntryCounts(Database[] dbs) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry none = new DatabaseEntry();
        none.setPartial(0, 0, true);
        for (int segment = 0; segment < dbs.length; segment++) {
            int id = 0;
            long n = 0;
            try (Cursor cursor = dbs[segment].openCursor(null, CursorConfig.READ_UNCOMMITTED)) {
                OperationResult at = cursor.get(key, none, Get.FIRST, null);
                while (at != null) {
                    int next = SecondaryIndex.indexIdOf(key.getData(), key.getOffset());
                    if (n > 0 && next != id) {
                        add(segment, id, n);
                        n = 0;
                    }
                    id = next;
                    n++;
                    at = cursor.get(key, none, Get.NEXT, null);
                }
            }
            if (n > 0) {
                add(segment, id, n);
            }
        }
    }

    private static long slot(int segment, int indexId) {
        return ((long) segment << 32) | (indexId & 0xffffffffL);
    }

    private void add(int segment, int indexId, long delta) {
        counts.computeIfAbsent(slot(segment, indexId), s -> new AtomicLong()).addAndGet(delta);
        total.addAndGet(delta);
    }

    /** After the transaction that made {@code change} in the segment's index committed. */
    void committed(int segment, Change change) {
        for (int i = 0; i < change.size; i++) {
            if (change.deltas[i] != 0) {
                add(segment, change.ids[i], change.deltas[i]);
            }
        }
    }

    long count(int segment, int indexId) {
        AtomicLong n = counts.get(slot(segment, indexId));
        return n == null ? 0 : n.get();
    }

    long total() {
        return total.get();
    }

    /**
     * What one transaction did to the entry counts, per index id, from what JE did (not what it
     * should have found), so the counts stay those of the databases. A transaction touches few
     * index ids: a short array beats a map.
     */
    static final class Change {
        private int[] ids = new int[4];
        private long[] deltas = new long[4];
        private int size;

        void add(int indexId, long delta) {
            for (int i = 0; i < size; i++) {
                if (ids[i] == indexId) {
                    deltas[i] += delta;
                    return;
                }
            }
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
                deltas = Arrays.copyOf(deltas, size * 2);
            }
            ids[size] = indexId;
            deltas[size] = delta;
            size++;
        }
    }
}

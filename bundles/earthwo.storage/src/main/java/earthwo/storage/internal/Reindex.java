package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Environment;
import com.sleepycat.je.Get;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.ReadOptions;
import com.sleepycat.je.Transaction;

import earthwo.api.storage.IndexEntries;
import earthwo.api.storage.ReindexStep;

import java.util.Arrays;

/**
 * Fills secondary index entries for the records of a segment while writes go on (a new index's
 * backfill): walks the records in key order, each under its write lock, in transactions of at
 * most {@value #BATCH} records, so a writer waits for a reindex no longer than for one short
 * transaction. A write that comes after a record's batch finds its entries and keeps them right.
 */
final class Reindex {

    /** Records per transaction: bounds the record locks a reindex holds at once. */
    static final int BATCH = 32;
    /**
     * Looks past a batch's last record without a lock: a record being inserted counts as one
     * more (the next step then finds none and says so).
     */
    private static final ReadOptions PEEK = new ReadOptions().setLockMode(LockMode.READ_UNCOMMITTED);

    private final Environment env;
    private final Database[] segments;
    private final LockedRecords locked;
    private final IndexMaintenance indexes;
    private final SegmentWrites writes;

    Reindex(Environment env, Database[] segments, LockedRecords locked, IndexMaintenance indexes, SegmentWrites writes) {
        this.env = env;
        this.segments = segments;
        this.locked = locked;
        this.indexes = indexes;
        this.writes = writes;
    }

    /** What one batch did: live records indexed, the last key read, and whether the segment has none after it. */
    private record Batch(int records, byte[] lastKey, boolean end) {
    }

    /**
     * Puts the entries {@code entries} gives for up to {@code limit} (positive) live records with
     * keys after {@code startAfter} (null: from the first). Tombstones are passed over, not
     * counted. The step's last key is null once the segment has no record after the last read.
     */
    ReindexStep run(int segment, byte[] startAfter, int limit, IndexEntries entries) {
        int records = 0;
        byte[] after = startAfter;
        while (records < limit) {
            byte[] from = after;
            int max = limit - records;
            Batch b = writes.retrying(segment, "reindex", () -> batch(segment, from, max, entries));
            records += b.records();
            if (b.lastKey() != null) {
                after = b.lastKey();
            }
            if (b.end()) {
                return new ReindexStep(records, null);
            }
        }
        return new ReindexStep(records, after);
    }

    /** One transaction: up to {@link #BATCH} records read after {@code after}, at most {@code max} live ones indexed. */
    private Batch batch(int segment, byte[] after, int max, IndexEntries entries) {
        Transaction txn = env.beginTransaction(null, null);
        IndexMaintenance.Pending p = new IndexMaintenance.Pending();
        try {
            int indexed = 0;
            int read = 0;
            byte[] last = null;
            boolean end = false;
            DatabaseEntry key = new DatabaseEntry();
            try (Cursor cursor = segments[segment].openCursor(txn, null)) {
                byte[] data = locked.next(cursor, segment, key, after == null ? new byte[0] : after);
                if (data != null && after != null && Arrays.equals(bytes(key), after)) {
                    data = locked.next(cursor, segment, key, null); // strictly after
                }
                while (true) {
                    if (data == null) {
                        end = true;
                        break;
                    }
                    byte[] k = bytes(key);
                    last = k;
                    read++;
                    if (!RecordCodec.isTombstone(k, data)) {
                        indexes.reindexed(txn, segment, entries, RecordCodec.decode(k, data), data, p);
                        indexed++;
                    }
                    if (indexed == max || read == BATCH) {
                        // Say the end is reached when it is, without locking the next record.
                        end = cursor.get(new DatabaseEntry(), null, Get.NEXT, PEEK) == null;
                        break;
                    }
                    data = locked.next(cursor, segment, key, null);
                }
            }
            txn.commit();
            txn = null;
            indexes.committed(segment, p);
            return new Batch(indexed, last, end);
        } finally {
            if (txn != null) {
                indexes.abandoned(segment, p);
                txn.abort();
            }
        }
    }
}

package earthwo.storage.internal;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Environment;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Transaction;

import earthwo.api.storage.IndexEntries;

/**
 * Brings the secondary index entries of kept keys ({@link UnindexedChanges}) up to date, one key
 * per transaction, holding the record's write lock then the kept entry's, the order writers take
 * them in ({@link IndexMaintenance}).
 */
final class IndexCatchUp {

    private final Environment env;
    private final Database[] segments;
    private final LockedRecords locked;
    private final IndexMaintenance indexes;
    private final UnindexedChanges unindexed;
    private final SegmentWrites writes;

    IndexCatchUp(Environment env, Database[] segments, LockedRecords locked, IndexMaintenance indexes,
            UnindexedChanges unindexed, SegmentWrites writes) {
        this.env = env;
        this.segments = segments;
        this.locked = locked;
        this.indexes = indexes;
        this.unindexed = unindexed;
        this.writes = writes;
    }

    /**
     * Catches up the segment's first {@code limit} kept keys with {@code entries}; returns how
     * many it took out (a key whose entries cannot be had stays kept and is not counted).
     */
    int run(int segment, int limit, IndexEntries entries) {
        int taken = 0;
        for (byte[] key : unindexed.keys(segment, limit)) {
            if (writes.retrying(segment, "index catch-up", () -> once(segment, key, entries))) {
                taken++;
            }
        }
        return taken;
    }

    /** One attempt for one key: whether it was taken out; null to try again (a record appeared meanwhile). */
    private Boolean once(int segment, byte[] key, IndexEntries entries) {
        DatabaseEntry jeKey = new DatabaseEntry(key);
        Transaction txn = env.beginTransaction(null, null);
        IndexMaintenance.Pending p = new IndexMaintenance.Pending();
        try {
            byte[] current;
            try (Cursor cursor = segments[segment].openCursor(txn, null)) {
                current = locked.search(cursor, segment, jeKey);
            }
            byte[] kept = unindexed.find(txn, segment, key);
            if (kept == null) {
                txn.commit(); // another catch-up, or a write, took it
                txn = null;
                return false;
            }
            // JE locks no absent key: a writer may have inserted the record since. Holding the kept
            // entry's lock now, any later writer of the key waits for this transaction.
            if (current == null && recordAppeared(txn, segment, jeKey)) {
                return null;
            }
            indexes.catchUp(txn, segment, entries, key, kept, current == null ? null : RecordCodec.decode(key, current), p);
            txn.commit();
            txn = null;
            indexes.committed(segment, p);
            return p.taken;
        } finally {
            if (txn != null) {
                indexes.abandoned(segment, p);
                txn.abort();
            }
        }
    }

    /** Whether the key has a record now, committed or not (without waiting for its lock). */
    private boolean recordAppeared(Transaction txn, int segment, DatabaseEntry key) {
        DatabaseEntry none = new DatabaseEntry();
        none.setPartial(0, 0, true);
        return segments[segment].get(txn, key, none, LockMode.READ_UNCOMMITTED) == OperationStatus.SUCCESS;
    }
}

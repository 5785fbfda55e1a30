package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Get;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationResult;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The keys whose secondary index entries are not known to be those of their record, per segment
 * a JE database ({@code idxq-0000} …): a key changed while no {@code IndexEntries} was in use but
 * indexes were defined, or whose entries could not be had. Each holds the record the key had when
 * it was first kept, whose entries are the ones the index may hold for it; a catch-up replaces
 * them by those of the key's current record ({@link IndexMaintenance}).
 *
 * <pre>
 * JE key:  the record's key
 * JE data: the record as {@link RecordCodec} stores it, or nothing when the key had no record or
 *          a tombstone (no entries)
 * </pre>
 *
 * <p>The counts are taken when the environment opens. A keeper counts its key before it commits
 * (and takes the count back if it aborts), a taker after it commits: so a writer that holds a
 * record's lock and finds its segment's count at 0 knows the key is not kept, without looking.
 */
final class UnindexedChanges {

    /** The data of a kept key that had no record, or a tombstone: no entries. */
    private static final byte[] NO_RECORD = new byte[0];

    private final Database[] dbs;
    /** Keys per segment, kept ones of uncommitted transactions included (see the class comment). */
    private final AtomicLongArray sizes;
    private final AtomicLong total = new AtomicLong();

    /** Counts every segment's kept keys; call before any writer can use the databases. */
    UnindexedChanges(Database[] dbs) {
        this.dbs = dbs;
        this.sizes = new AtomicLongArray(dbs.length);
        for (int i = 0; i < dbs.length; i++) {
            long n = dbs[i].count();
            sizes.set(i, n);
            total.addAndGet(n);
        }
    }

    static String databaseName(int segment) {
        return String.format("idxq-%04d", segment);
    }

    /** False only if no key of the segment is kept, committed or not. */
    boolean mayHoldAny(int segment) {
        return sizes.get(segment) > 0;
    }

    /**
     * In {@code txn}, which holds the record's write lock: the data the key was kept with
     * ({@link #isNoRecord} when it had none), write-locked, or null when it is not kept.
     */
    byte[] find(Transaction txn, int segment, byte[] key) {
        DatabaseEntry data = new DatabaseEntry();
        return dbs[segment].get(txn, new DatabaseEntry(key), data, LockMode.RMW) == OperationStatus.SUCCESS ? bytes(data) : null;
    }

    static boolean isNoRecord(byte[] kept) {
        return kept.length == 0;
    }

    /**
     * In {@code txn}, which holds the record's write lock: keeps the key with {@code record}
     * (its stored data; null: no record or a tombstone) unless it is kept already, whose record
     * then stays: the first one is the one whose entries the index may hold. Returns whether it
     * was added; if so, the caller must tell {@link #abandoned} should {@code txn} not commit.
     */
    boolean keep(Transaction txn, int segment, byte[] key, byte[] record) {
        OperationStatus st = dbs[segment].putNoOverwrite(txn, new DatabaseEntry(key),
                new DatabaseEntry(record == null ? NO_RECORD : record));
        if (st != OperationStatus.SUCCESS) {
            return false;
        }
        sizes.incrementAndGet(segment);
        total.incrementAndGet();
        return true;
    }

    /** The transaction of a {@link #keep} that added the key did not commit. */
    void abandoned(int segment) {
        taken(segment);
    }

    /** In {@code txn}, which holds the record's write lock: the key is no longer kept. Tell {@link #taken} once committed. */
    boolean take(Transaction txn, int segment, byte[] key) {
        return dbs[segment].delete(txn, new DatabaseEntry(key)) == OperationStatus.SUCCESS;
    }

    /** After the transaction of a {@link #take} that removed a key committed. */
    void taken(int segment) {
        sizes.decrementAndGet(segment);
        total.decrementAndGet();
    }

    /** Up to {@code limit} of the segment's kept keys, in key order (read committed). */
    List<byte[]> keys(int segment, int limit) {
        List<byte[]> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit == 0 || !mayHoldAny(segment)) {
            return out;
        }
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry none = new DatabaseEntry();
        none.setPartial(0, 0, true);
        try (Cursor cursor = dbs[segment].openCursor(null, CursorConfig.READ_COMMITTED)) {
            OperationResult at = cursor.get(key, none, Get.FIRST, null);
            while (at != null && out.size() < limit) {
                out.add(bytes(key));
                at = cursor.get(key, none, Get.NEXT, null);
            }
        }
        return out;
    }

    long size(int segment) {
        return sizes.get(segment);
    }

    long total() {
        return total.get();
    }
}

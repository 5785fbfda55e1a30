package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Get;
import com.sleepycat.je.OperationResult;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Transaction;

import earthwo.api.Record;
import earthwo.api.storage.ExpiryEntry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The expiry index of one opening of a store: per segment a JE database ({@code exp-0000} …)
 * with one entry per stored record that has an expiry, expired ones included, so the reaper
 * finds what expires next without walking the records.
 *
 * <pre>
 * JE key:  i64 expiresAt (big-endian), then the record's key
 * JE data: empty
 * </pre>
 *
 * Expiries are not negative, so JE's unsigned byte order is (expiresAt, key) order. Writers
 * change an entry in the same transaction as its record ({@link #move}) and report the committed
 * change of the entry count afterwards ({@link #committed}); the counts are taken when the
 * environment opens (no writer runs then), so each opening, a reopen after a failure included,
 * starts from what JE really holds.
 */
final class ExpiryIndex {

    static final int EXPIRY_BYTES = 8;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final DatabaseEntry NO_DATA = new DatabaseEntry(new byte[0]);

    private final Database[] dbs;
    /** Entries per segment: counted at open, then moved by each committed change. */
    private final AtomicLongArray sizes;

    /** Counts the entries of each segment's index; call before any writer can use the databases. */
    ExpiryIndex(Database[] dbs) {
        this.dbs = dbs;
        this.sizes = new AtomicLongArray(dbs.length);
        for (int i = 0; i < dbs.length; i++) {
            sizes.set(i, dbs[i].count());
        }
    }

    static String databaseName(int segment) {
        return String.format("exp-%04d", segment);
    }

    static byte[] indexKey(long expiresAt, byte[] key) {
        byte[] k = new byte[EXPIRY_BYTES + key.length];
        LONG.set(k, 0, expiresAt);
        System.arraycopy(key, 0, k, EXPIRY_BYTES, key.length);
        return k;
    }

    static ExpiryEntry entry(byte[] indexKey) {
        return new ExpiryEntry(expiresAtOf(indexKey), Arrays.copyOfRange(indexKey, EXPIRY_BYTES, indexKey.length));
    }

    static long expiresAtOf(byte[] indexKey) {
        return (long) LONG.get(indexKey, 0);
    }

    /**
     * In {@code txn}, which holds the record's write lock: moves the key's entry from expiry
     * {@code from} to {@code to} (either {@link Record#NEVER}: no entry). Returns by how much the
     * segment's entry count changes once {@code txn} commits, from what JE did (not what it
     * should have found), so the count stays that of the database. Entries are per record key,
     * and the record lock is held, so no other writer touches them meanwhile.
     */
    int move(Transaction txn, int segment, byte[] key, long from, long to) {
        if (from == to) {
            return 0;
        }
        Database db = dbs[segment];
        int delta = 0;
        if (from != Record.NEVER && db.delete(txn, new DatabaseEntry(indexKey(from, key))) == OperationStatus.SUCCESS) {
            delta--;
        }
        if (to != Record.NEVER && db.putNoOverwrite(txn, new DatabaseEntry(indexKey(to, key)), NO_DATA) == OperationStatus.SUCCESS) {
            delta++;
        }
        return delta;
    }

    /** After the transaction of a {@link #move} committed. */
    void committed(int segment, int delta) {
        if (delta != 0) {
            sizes.addAndGet(segment, delta);
        }
    }

    long size(int segment) {
        return sizes.get(segment);
    }

    long totalSize() {
        long sum = 0;
        for (int i = 0; i < sizes.length(); i++) {
            sum += sizes.get(i);
        }
        return sum;
    }

    /**
     * Up to {@code limit} entries with {@code expiresAt <= upTo}, in index order. Read committed:
     * it waits for no writer beyond the entry it steps on, and a record may change right after
     * its entry was read (the caller checks the record).
     */
    List<ExpiryEntry> expiring(int segment, long upTo, int limit) {
        List<ExpiryEntry> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit == 0 || upTo <= Record.NEVER) {
            return out; // no entry has an expiry of 0 (NEVER) or less
        }
        DatabaseEntry key = new DatabaseEntry();
        try (Cursor cursor = dbs[segment].openCursor(null, CursorConfig.READ_COMMITTED)) {
            OperationResult at = cursor.get(key, null, Get.FIRST, null);
            while (at != null && out.size() < limit) {
                byte[] k = bytes(key);
                if (expiresAtOf(k) > upTo) {
                    break;
                }
                out.add(entry(k));
                at = cursor.get(key, null, Get.NEXT, null);
            }
        }
        return out;
    }

    /** The segment's index database (for the consistency check). */
    Database database(int segment) {
        return dbs[segment];
    }
}

package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Environment;
import com.sleepycat.je.Get;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationResult;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Put;
import com.sleepycat.je.Transaction;

import earthwo.api.Keys;
import earthwo.api.storage.IndexHit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The secondary index entries of one opening of a store: per segment a JE database
 * ({@code idx-0000} …) with one JE entry per (index entry, record key), expired records included,
 * so a query walks one index's values in order without reading records.
 *
 * <pre>
 * JE key:  the index entry (i32 index id, then its encoded value), then the record's key
 * JE data: i64 the record's expiresAt (0 = never), u16 the index entry's length
 * </pre>
 *
 * The entry's length is kept with it because the store cannot tell where an encoded value ends.
 * Each record key has its own JE keys, and only a transaction holding the record's write lock
 * changes them ({@link IndexMaintenance}), so writers of different records never meet here.
 * Committed changes move the counts ({@link IndexEntryCounts}), which are taken at open.
 */
final class SecondaryIndex {

    static final int INDEX_ID_BYTES = 4;
    /** The entry's length is kept in 2 bytes. */
    static final int MAX_ENTRY_BYTES = 0xffff;
    private static final int DATA_BYTES = 8 + 2;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** Below this many entries a nested loop finds common entries faster than a hash set. */
    private static final int SMALL_LIST = 16;

    /** Entries one drop transaction deletes at most: bounds the locks it holds, and how long writers wait for them. */
    static final int DROP_BATCH = 100;

    private final Environment env;
    private final Database[] dbs;
    final IndexEntryCounts counts;

    /** Counts the entries of each segment's index; call before any writer can use the databases. */
    SecondaryIndex(Environment env, Database[] dbs) {
        this.env = env;
        this.dbs = dbs;
        this.counts = new IndexEntryCounts(dbs);
    }

    static String databaseName(int segment) {
        return String.format("idx-%04d", segment);
    }

    static int indexIdOf(byte[] bytes, int offset) {
        return (int) INT.get(bytes, offset);
    }

    static byte[] jeKey(byte[] entry, byte[] key) {
        byte[] k = Arrays.copyOf(entry, entry.length + key.length);
        System.arraycopy(key, 0, k, entry.length, key.length);
        return k;
    }

    static byte[] jeData(long expiresAt, int entryLength) {
        return ByteBuffer.allocate(DATA_BYTES).putLong(expiresAt).putShort((short) entryLength).array();
    }

    static IndexHit hit(byte[] jeKey, byte[] jeData) {
        ByteBuffer data = ByteBuffer.wrap(jeData);
        long expiresAt = data.getLong();
        int entryLength = data.getShort() & 0xffff;
        return new IndexHit(Arrays.copyOf(jeKey, entryLength), Arrays.copyOfRange(jeKey, entryLength, jeKey.length), expiresAt);
    }

    /**
     * In {@code txn}, which holds the record's write lock: the key's entries, known to be exactly
     * {@code before} with expiry {@code expiresBefore}, become {@code after} with expiry
     * {@code expiresAfter}. Entries in both with an unchanged expiry are left alone: a write that
     * keeps its indexed values costs no index write. {@code before} and {@code after} may be the
     * same list (the same value).
     */
    void replaceExact(Transaction txn, int segment, byte[] key, List<byte[]> before, long expiresBefore, List<byte[]> after,
            long expiresAfter, IndexEntryCounts.Change change) {
        if (before == after) {
            if (expiresBefore != expiresAfter) {
                for (byte[] e : after) {
                    put(txn, segment, e, key, expiresAfter, change);
                }
            }
            return;
        }
        Predicate<byte[]> inAfter = membership(after);
        for (byte[] e : before) {
            if (!inAfter.test(e)) {
                delete(txn, segment, e, key, change);
            }
        }
        Predicate<byte[]> inBefore = membership(before);
        for (byte[] e : after) {
            if (!inBefore.test(e)) {
                ensure(txn, segment, e, key, expiresAfter, change);
            } else if (expiresBefore != expiresAfter) {
                put(txn, segment, e, key, expiresAfter, change);
            }
        }
    }

    /**
     * In {@code txn}, which holds the record's write lock: the key's entries, known only to be
     * among {@code before}, become exactly {@code after} with expiry {@code expiresAfter}. Every
     * entry of {@code after} is checked, as it may be missing or carry another expiry.
     */
    void replaceKnownSubset(Transaction txn, int segment, byte[] key, List<byte[]> before, List<byte[]> after,
            long expiresAfter, IndexEntryCounts.Change change) {
        Predicate<byte[]> inAfter = membership(after);
        for (byte[] e : before) {
            if (!inAfter.test(e)) {
                delete(txn, segment, e, key, change);
            }
        }
        ensureAll(txn, segment, key, after, expiresAfter, change);
    }

    /** In {@code txn}, which holds the record's write lock: the key has {@code entries}, with this expiry. */
    void ensureAll(Transaction txn, int segment, byte[] key, List<byte[]> entries, long expiresAt, IndexEntryCounts.Change change) {
        for (byte[] e : entries) {
            ensure(txn, segment, e, key, expiresAt, change);
        }
    }

    /** Whether an entry is in {@code list}: pairwise for a short list, through a hash set for a long one. */
    private static Predicate<byte[]> membership(List<byte[]> list) {
        if (list.size() <= SMALL_LIST) {
            return e -> {
                for (byte[] x : list) {
                    if (Arrays.equals(x, e)) {
                        return true;
                    }
                }
                return false;
            };
        }
        Set<ByteBuffer> set = new HashSet<>();
        for (byte[] x : list) {
            set.add(ByteBuffer.wrap(x));
        }
        return e -> set.contains(ByteBuffer.wrap(e));
    }

    private void delete(Transaction txn, int segment, byte[] entry, byte[] key, IndexEntryCounts.Change change) {
        if (dbs[segment].delete(txn, new DatabaseEntry(jeKey(entry, key))) == OperationStatus.SUCCESS) {
            change.add(indexIdOf(entry, 0), -1);
        }
    }

    /** Puts the entry with this expiry, whether it is there or not. */
    private void put(Transaction txn, int segment, byte[] entry, byte[] key, long expiresAt, IndexEntryCounts.Change change) {
        OperationResult r = dbs[segment].put(txn, new DatabaseEntry(jeKey(entry, key)),
                new DatabaseEntry(jeData(expiresAt, entry.length)), Put.OVERWRITE, null);
        if (!r.isUpdate()) {
            change.add(indexIdOf(entry, 0), 1);
        }
    }

    /** Puts the entry unless it is there with this expiry already (then nothing is written). */
    private void ensure(Transaction txn, int segment, byte[] entry, byte[] key, long expiresAt, IndexEntryCounts.Change change) {
        Database db = dbs[segment];
        DatabaseEntry k = new DatabaseEntry(jeKey(entry, key));
        DatabaseEntry d = new DatabaseEntry(jeData(expiresAt, entry.length));
        if (db.put(txn, k, d, Put.NO_OVERWRITE, null) != null) {
            change.add(indexIdOf(entry, 0), 1);
            return;
        }
        DatabaseEntry stored = new DatabaseEntry();
        if (db.get(txn, k, stored, LockMode.RMW) == OperationStatus.SUCCESS && Arrays.equals(bytes(stored), d.getData())) {
            return;
        }
        put(txn, segment, entry, key, expiresAt, change);
    }

    /**
     * Up to {@code limit} entries with (entry, key) bytes at least {@code from} (null or empty:
     * from the first) and below {@code to} (null: to the last), in that order. Read committed,
     * as the expiry index is read: it waits for no writer beyond the entry it steps on.
     */
    List<IndexHit> entries(int segment, byte[] from, byte[] to, int limit) {
        List<IndexHit> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit == 0) {
            return out;
        }
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        try (Cursor cursor = dbs[segment].openCursor(null, CursorConfig.READ_COMMITTED)) {
            OperationResult at = JeEntries.seek(cursor, key, data, from == null ? new byte[0] : from);
            while (at != null && out.size() < limit) {
                byte[] k = bytes(key);
                if (to != null && Keys.compare(k, to) >= 0) {
                    break;
                }
                out.add(hit(k, bytes(data)));
                at = cursor.get(key, data, Get.NEXT, null);
            }
        }
        return out;
    }

    /**
     * One transaction of a drop: deletes up to {@code max} (at most {@link #DROP_BATCH}) of the
     * segment's first entries that start with {@code prefix}; returns how many. Takes no record
     * lock: meant for entries no writer makes any more (a dropped index's); a writer that still
     * touches one waits for this short transaction.
     */
    int dropBatch(int segment, byte[] prefix, int max) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry none = new DatabaseEntry();
        none.setPartial(0, 0, true);
        IndexEntryCounts.Change change = new IndexEntryCounts.Change();
        int deleted = 0;
        Transaction txn = env.beginTransaction(null, null);
        try {
            try (Cursor cursor = dbs[segment].openCursor(txn, null)) {
                OperationResult at;
                if (prefix.length == 0) {
                    at = cursor.get(key, none, Get.FIRST, LockedRecords.RMW);
                } else {
                    key.setData(prefix);
                    at = cursor.get(key, none, Get.SEARCH_GTE, LockedRecords.RMW);
                }
                while (at != null && deleted < Math.min(max, DROP_BATCH)) {
                    byte[] k = bytes(key);
                    if (!Keys.hasPrefix(k, prefix)) {
                        break;
                    }
                    if (cursor.delete() == OperationStatus.SUCCESS) {
                        deleted++;
                        change.add(indexIdOf(k, 0), -1);
                    }
                    at = cursor.get(key, none, Get.NEXT, LockedRecords.RMW);
                }
            }
            txn.commit();
            txn = null;
        } finally {
            if (txn != null) {
                txn.abort();
            }
        }
        counts.committed(segment, change);
        return deleted;
    }

    /** The segment's index database (for tests and checks). */
    Database database(int segment) {
        return dbs[segment];
    }
}

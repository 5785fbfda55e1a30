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
import com.sleepycat.je.ReadOptions;
import com.sleepycat.je.Transaction;
import com.sleepycat.je.TransactionConfig;
import com.sleepycat.je.Durability;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Version;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Durable delivery positions of hooks, in the JE database {@value #DATABASE}: per hook name and
 * segment, the version through which its events were acknowledged, and per name when a position
 * of it was last saved (so positions of a hook gone for good can be found and dropped).
 *
 * <pre>
 * position:  JE key UTF-8 name, 0x00, i32 segment   JE data i64 version timestamp, i32 version node id
 * last save: JE key UTF-8 name, 0x00                JE data i64 epoch ms
 * </pre>
 *
 * A name has no 0x00 in it, so a name's entries are the keys starting with name + 0x00, its
 * last-save entry first. Saves are written to the log without waiting for the disk: a position
 * lost in a crash delivers its events once more, which at-least-once allows, and a hook that
 * saves a position per batch in every segment it feeds would otherwise cost a log sync each.
 * The log keeps its order, so a later durable change (an outbox trim) makes it durable too.
 * The last-save time is rewritten only when it is a minute old: it serves to find names unseen
 * for days.
 */
final class DeliveryPositions {

    static final String DATABASE = "hook-positions";
    private static final int VERSION_BYTES = 12;
    private static final ReadOptions RMW = new ReadOptions().setLockMode(LockMode.RMW);
    private static final TransactionConfig SAVE = new TransactionConfig().setDurability(Durability.COMMIT_WRITE_NO_SYNC);
    private static final long SAVE_TIME_EVERY_MS = 60_000;

    private final Environment env;
    private final Database db;
    private final LongSupplier clock;

    DeliveryPositions(Environment env, Database db, LongSupplier clock) {
        this.env = env;
        this.db = db;
        this.clock = clock;
    }

    /** The name's position per segment; empty for an unknown name. */
    Map<Integer, Version> positions(String name) {
        byte[] prefix = prefix(name);
        Map<Integer, Version> out = new TreeMap<>();
        DatabaseEntry key = new DatabaseEntry(prefix);
        DatabaseEntry data = new DatabaseEntry();
        try (Cursor cursor = db.openCursor(null, CursorConfig.READ_COMMITTED)) {
            OperationResult at = cursor.get(key, data, Get.SEARCH_GTE, null);
            while (at != null) {
                byte[] k = bytes(key);
                if (!startsWith(k, prefix)) {
                    break;
                }
                if (k.length == prefix.length + 4) {
                    out.put(ByteBuffer.wrap(k, prefix.length, 4).getInt(), version(bytes(data)));
                }
                at = cursor.get(key, data, Get.NEXT, null);
            }
        }
        return out;
    }

    /**
     * Moves the name's position in the segment to {@code through} unless it is there or further
     * already, and notes the time of the save either way. Null when a concurrent first save of
     * the same position created it meanwhile (the caller tries again: an entry that does not
     * exist yet cannot be locked, and the later of two first saves must not move it back).
     */
    Boolean save(String name, int segment, Version through) {
        byte[] prefix = prefix(name);
        DatabaseEntry key = new DatabaseEntry(ByteBuffer.allocate(prefix.length + 4).put(prefix).putInt(segment).array());
        DatabaseEntry data = new DatabaseEntry();
        DatabaseEntry saved = new DatabaseEntry(ByteBuffer.allocate(VERSION_BYTES)
                .putLong(through.timestamp()).putInt(through.nodeId()).array());
        Transaction txn = env.beginTransaction(null, SAVE);
        try {
            // The name's time first: saves and drops of a name all lock it first, so they queue there and never deadlock.
            DatabaseEntry nameKey = new DatabaseEntry(prefix);
            DatabaseEntry savedAt = new DatabaseEntry();
            long now = clock.getAsLong();
            if (db.get(txn, nameKey, savedAt, LockMode.RMW) != OperationStatus.SUCCESS
                    || now - ByteBuffer.wrap(bytes(savedAt)).getLong() >= SAVE_TIME_EVERY_MS) {
                db.put(txn, nameKey, new DatabaseEntry(ByteBuffer.allocate(8).putLong(now).array()));
            }
            if (db.get(txn, key, data, LockMode.RMW) == OperationStatus.SUCCESS) {
                if (through.isNewerThan(version(bytes(data)))) {
                    db.put(txn, key, saved);
                }
            } else if (db.putNoOverwrite(txn, key, saved) == OperationStatus.KEYEXIST) {
                return null;
            }
            txn.commit();
            txn = null;
            return Boolean.TRUE;
        } finally {
            if (txn != null) {
                txn.abort();
            }
        }
    }

    /** Every name with positions, with the epoch ms of its last save. */
    Map<String, Long> names() {
        Map<String, Long> out = new TreeMap<>();
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        try (Cursor cursor = db.openCursor(null, CursorConfig.READ_COMMITTED)) {
            while (cursor.get(key, data, Get.NEXT, null) != null) {
                byte[] k = bytes(key);
                if (indexOfZero(k) == k.length - 1) { // a last-save entry (a position has 4 bytes after the 0x00)
                    byte[] d = bytes(data);
                    out.put(new String(k, 0, k.length - 1, StandardCharsets.UTF_8), d.length == 8 ? ByteBuffer.wrap(d).getLong() : 0L);
                }
            }
        }
        return out;
    }

    /**
     * Deletes every entry of the name, in one transaction: a name has at most one entry per
     * segment and one more, so its locks are bounded by the segment count. Key order locks the
     * name's time first, as {@link #save} does.
     */
    Boolean drop(String name) {
        byte[] prefix = prefix(name);
        DatabaseEntry key = new DatabaseEntry(prefix);
        Transaction txn = env.beginTransaction(null, null);
        try {
            try (Cursor cursor = db.openCursor(txn, null)) {
                OperationResult at = cursor.get(key, null, Get.SEARCH_GTE, RMW);
                while (at != null && startsWith(bytes(key), prefix)) {
                    cursor.delete();
                    at = cursor.get(key, null, Get.NEXT, RMW);
                }
            }
            txn.commit();
            txn = null;
            return Boolean.TRUE;
        } finally {
            if (txn != null) {
                txn.abort();
            }
        }
    }

    /** The name's key prefix: its UTF-8 bytes and 0x00. */
    private static byte[] prefix(String name) {
        if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a position name must be non-empty text without NUL: '" + name + "'");
        }
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    private static int indexOfZero(byte[] k) {
        for (int i = 0; i < k.length; i++) {
            if (k[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] k, byte[] prefix) {
        return k.length >= prefix.length && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static Version version(byte[] data) {
        if (data.length != VERSION_BYTES) {
            throw new EarthwoException(ErrorCode.INTERNAL, "corrupt delivery position of " + data.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        return new Version(b.getLong(), b.getInt());
    }
}

package earthwo.storage.internal;

import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Transaction;

import earthwo.api.NodeProperties;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Facts of a store kept in the JE database {@value #DATABASE} beside the segments: the layout
 * version and the segment count S (fixed for the life of a cluster) since it was created,
 * whether its outbox was switched on (it then stays on through restarts), and whether secondary
 * indexes are defined (so that changes made before the indexes bundle binds are kept for it).
 */
final class StoreMetadata {

    static final String DATABASE = "earthwo.meta";
    static final int LAYOUT_VERSION = 1;

    private static final byte[] KEY_LAYOUT = "layout.version".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_SEGMENTS = "segments".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_OUTBOX = "outbox.on".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_INDEXES_DEFINED = "indexes.defined".getBytes(StandardCharsets.UTF_8);

    private StoreMetadata() {
    }

    /**
     * Records the segment count of a new store, or checks that an existing store was created
     * with {@code segments}.
     *
     * @return true if the store is new (nothing was recorded before)
     * @throws IllegalStateException if the store holds another segment count or layout
     */
    static boolean initOrCheck(Database meta, Transaction txn, int segments, Path dir) {
        Integer layout = readInt(meta, txn, KEY_LAYOUT);
        Integer stored = readInt(meta, txn, KEY_SEGMENTS);
        if (layout == null && stored == null) {
            writeInt(meta, txn, KEY_LAYOUT, LAYOUT_VERSION);
            writeInt(meta, txn, KEY_SEGMENTS, segments);
            return true;
        }
        if (layout == null || layout != LAYOUT_VERSION) {
            throw new IllegalStateException("store " + dir + " has layout version " + layout
                    + "; this storage bundle reads layout version " + LAYOUT_VERSION);
        }
        if (stored == null) {
            throw new IllegalStateException("store " + dir + " has no recorded segment count; its metadata is damaged");
        }
        if (stored != segments) {
            throw new IllegalStateException("store " + dir + " was created with " + stored + " segments but "
                    + NodeProperties.SEGMENTS + " is " + segments + ". The segment count is fixed for the life of a "
                    + "cluster: set " + NodeProperties.SEGMENTS + "=" + stored + ", or point " + NodeProperties.DATA_DIR
                    + " at a new directory to create a new store");
        }
        return false;
    }

    /** Whether the store's outbox was switched on ({@link #setOutboxOn}). */
    static boolean isOutboxOn(Database meta, Transaction txn) {
        Integer on = readInt(meta, txn, KEY_OUTBOX);
        return on != null && on == 1;
    }

    static void setOutboxOn(Database meta, Transaction txn) {
        writeInt(meta, txn, KEY_OUTBOX, 1);
    }

    /** Whether secondary indexes were noted as defined ({@link #setIndexesDefined}); false if never noted. */
    static boolean areIndexesDefined(Database meta, Transaction txn) {
        Integer defined = readInt(meta, txn, KEY_INDEXES_DEFINED);
        return defined != null && defined == 1;
    }

    static void setIndexesDefined(Database meta, Transaction txn, boolean defined) {
        writeInt(meta, txn, KEY_INDEXES_DEFINED, defined ? 1 : 0);
    }

    private static Integer readInt(Database meta, Transaction txn, byte[] key) {
        DatabaseEntry data = new DatabaseEntry();
        if (meta.get(txn, new DatabaseEntry(key), data, LockMode.RMW) != OperationStatus.SUCCESS) {
            return null;
        }
        if (data.getSize() != Integer.BYTES) {
            throw new IllegalStateException("metadata entry '" + new String(key, StandardCharsets.UTF_8)
                    + "' has " + data.getSize() + " bytes, expected " + Integer.BYTES + "; the store's metadata is damaged");
        }
        return ByteBuffer.wrap(data.getData(), data.getOffset(), data.getSize()).getInt();
    }

    private static void writeInt(Database meta, Transaction txn, byte[] key, int value) {
        meta.put(txn, new DatabaseEntry(key), new DatabaseEntry(ByteBuffer.allocate(Integer.BYTES).putInt(value).array()));
    }
}

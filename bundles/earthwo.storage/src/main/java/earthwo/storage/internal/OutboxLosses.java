package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Transaction;

import earthwo.api.Version;
import earthwo.api.storage.OutboxLoss;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What each segment's outbox dropped because the outboxes were full, in the JE database
 * {@value #DATABASE}, so a hook that missed events learns of it after a restart too.
 *
 * <pre>
 * JE key  (4 bytes):  i32 segment
 * JE data (20 bytes): i64 newest dropped version's timestamp, i32 its node id, i64 events dropped in all
 * </pre>
 *
 * A drop changes its segment's entry in the transaction that deletes the event ({@link #add}),
 * so the loss is durable exactly when the drop is. Drops of a segment are serialized by the
 * lock on its first event, which each takes before its entry here (see {@link Outbox}), so each
 * reads the entry the one before wrote, even the first ones. The entries are also kept in
 * memory (loaded at open, replaced after each commit) for readers.
 */
final class OutboxLosses {

    static final String DATABASE = "outbox-loss";
    private static final int DATA_BYTES = 8 + 4 + 8;

    private final Database db;
    /** Per segment, its loss as committed; null while it has none. */
    private final AtomicReferenceArray<OutboxLoss> losses;

    /** Loads every segment's loss; call before any writer can use the database. */
    OutboxLosses(Database db, int segments) {
        this.db = db;
        this.losses = new AtomicReferenceArray<>(segments);
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        try (Cursor c = db.openCursor(null, CursorConfig.READ_COMMITTED)) {
            while (c.getNext(key, data, null) == OperationStatus.SUCCESS) {
                int segment = ByteBuffer.wrap(bytes(key)).getInt();
                if (segment >= 0 && segment < segments) {
                    losses.set(segment, decode(bytes(data)));
                }
                // a damaged entry reads as none (and the next drop rewrites it): the store must open all the same
            }
        }
    }

    /**
     * In {@code txn}: counts one more event of {@code segment} dropped, of version {@code dropped},
     * and returns the segment's loss as it stands once {@code txn} commits.
     */
    OutboxLoss add(Transaction txn, int segment, Version dropped) {
        DatabaseEntry key = new DatabaseEntry(ByteBuffer.allocate(4).putInt(segment).array());
        DatabaseEntry data = new DatabaseEntry();
        OutboxLoss before = db.get(txn, key, data, LockMode.RMW) == OperationStatus.SUCCESS ? decode(bytes(data)) : null;
        OutboxLoss after = before == null ? new OutboxLoss(dropped, 1)
                : new OutboxLoss(dropped.isNewerThan(before.through()) ? dropped : before.through(), before.count() + 1);
        db.put(txn, key, new DatabaseEntry(encode(after)));
        return after;
    }

    /** After the transaction of an {@link #add} committed; the loss with the larger count is the later one. */
    void committed(int segment, OutboxLoss loss) {
        OutboxLoss current;
        do {
            current = losses.get(segment);
            if (current != null && current.count() >= loss.count()) {
                return;
            }
        } while (!losses.compareAndSet(segment, current, loss));
    }

    /** The segment's loss, or null if it dropped nothing. */
    OutboxLoss loss(int segment) {
        return losses.get(segment);
    }

    /** Events dropped from all segments. */
    long totalDropped() {
        long sum = 0;
        for (int i = 0; i < losses.length(); i++) {
            OutboxLoss l = losses.get(i);
            if (l != null) {
                sum += l.count();
            }
        }
        return sum;
    }

    private static byte[] encode(OutboxLoss loss) {
        return ByteBuffer.allocate(DATA_BYTES).putLong(loss.through().timestamp()).putInt(loss.through().nodeId())
                .putLong(loss.count()).array();
    }

    /** The loss an entry holds; null if it is damaged (not {@value #DATA_BYTES} bytes). */
    private static OutboxLoss decode(byte[] data) {
        if (data.length != DATA_BYTES) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        return new OutboxLoss(new Version(b.getLong(), b.getInt()), b.getLong());
    }
}

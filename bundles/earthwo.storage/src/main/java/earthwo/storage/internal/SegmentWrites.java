package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Environment;
import com.sleepycat.je.LockConflictException;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Transaction;
import com.sleepycat.je.TransactionConfig;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.storage.SegmentStore.ApplyResult;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A store's write transactions: apply (last writer wins by version, optionally only over an
 * expected version) and purge, each tried again after lock conflicts. Each changes the record's
 * {@link ExpiryIndex} entry in the same transaction, and its secondary index entries while
 * indexes are in use or defined ({@link IndexMaintenance}); an apply records its event in the
 * segment's {@link Outbox} there too when the outbox is on (a purge records none: it removes a
 * tombstone whose delete was recorded). Each tells the record cache of its change while it holds
 * JE's record lock, so the cache stays coherent with JE, and tells {@link SegmentCounts}, the
 * expiry index's counts, the secondary index's and the outbox's once committed. Runs inside the
 * store's {@link JeOperationGuard} and {@link SegmentCounts#countedWrite}.
 */
final class SegmentWrites {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentWrites.class);

    /** Attempts of a write that keeps meeting lock conflicts before it fails with BUSY. */
    private static final int MAX_ATTEMPTS = 5;

    private final Path dir;
    private final Environment env;
    private final Database[] segments;
    /** Null when the record cache is off. */
    private final RecordCache recordCache;
    private final SegmentCounts counts;
    private final ExpiryIndex expiry;
    private final LockedRecords locked;
    private final IndexMaintenance indexes;
    /**
     * Null while no index is defined and none is in use: then a write pays one volatile read and
     * a branch for indexes. Read once per write.
     */
    private volatile IndexUse indexUse;
    /**
     * Null while the outbox is off: then a write pays one null check for it. Set once when the
     * outbox is switched on while the store is open; a write that read it before records no event.
     */
    private volatile Outbox outbox;

    SegmentWrites(Path dir, Environment env, Database[] segments, RecordCache recordCache, SegmentCounts counts,
            ExpiryIndex expiry, IndexMaintenance indexes, Outbox outbox) {
        this.dir = dir;
        this.env = env;
        this.segments = segments;
        this.recordCache = recordCache;
        this.locked = new LockedRecords(recordCache);
        this.counts = counts;
        this.expiry = expiry;
        this.indexes = indexes;
        this.outbox = outbox;
    }

    /** From now on, applied writes and purges keep secondary index entries as {@code use} says (null: not at all). */
    void useIndexes(IndexUse use) {
        this.indexUse = use;
    }

    /** From now on, applied writes record their events in {@code on}. */
    void recordEventsIn(Outbox on) {
        this.outbox = on;
    }

    /** Runs a write transaction again after lock conflicts (or a lost insert race: null). */
    <T> T retrying(int segment, String op, Supplier<T> attempt) {
        LockConflictException last = null;
        for (int i = 0; i < MAX_ATTEMPTS; i++) {
            try {
                T result = attempt.get();
                if (result != null) {
                    return result;
                }
            } catch (LockConflictException e) {
                last = e;
                LOG.debug("storage {} on segment {} of store {} met a lock conflict, attempt {}", op, segment, dir, i + 1);
            }
        }
        if (last != null) {
            throw last;
        }
        throw new EarthwoException(ErrorCode.BUSY, op + " on segment " + segment + " lost " + MAX_ATTEMPTS + " races with concurrent writers");
    }

    /**
     * One attempt of apply, committing with the store's durability ({@code txnConfig} null) or
     * {@code txnConfig}'s; null when a concurrent insert of the same key won the race (retry).
     * One cursor both finds the stored record (write-locked) and replaces it in place, so an
     * update searches the B-tree once.
     *
     * <p>The record cache is told before the commit, while the record lock is held: so the cache
     * learns the writes of a key in the order JE applies them, and the next writer, once it holds
     * the lock, finds the current record there without reading it from JE's log. A reader may
     * see the write before the commit; if the commit fails the key is forgotten again.
     *
     * <p>With {@code expected} (not null) the record is applied only if the stored one has that
     * version ({@link Version#ZERO}: none is stored), checked under the same record lock as the
     * write; if not, nothing is written and the stored record is returned as the previous one.
     *
     * <p>The expiry index entry moves only when the expiry changes: a record without expiry that
     * replaces another costs two comparisons more, not a second database.
     *
     * <p>With the outbox on, an applied record's event of {@code type} (null: decided from the
     * records, see {@link Outbox#decide}) goes into the segment's outbox in the same transaction,
     * so a change is durable exactly when its event is. A stale record records nothing.
     *
     * <p>While indexes are in use or defined, an applied record's index entries change (or the
     * change is kept for a catch-up) in the same transaction; see {@link IndexMaintenance}.
     */
    ApplyResult applyOnce(int segment, Record record, byte[] encoded, TransactionConfig txnConfig, Version expected,
            EventType type) {
        DatabaseEntry key = new DatabaseEntry(record.key());
        IndexUse use = indexUse;
        Transaction txn = env.beginTransaction(null, txnConfig);
        boolean cacheTold = false;
        IndexMaintenance.Pending indexed = null;
        try {
            Record previous = null;
            byte[] stored;
            boolean applied;
            try (Cursor cursor = segments[segment].openCursor(txn, null)) {
                stored = locked.search(cursor, segment, key);
                if (stored != null) {
                    previous = RecordCodec.decode(record.key(), stored);
                }
                applied = (expected == null || isStoredVersion(previous, expected))
                        && (previous == null || record.version().isNewerThan(previous.version()));
                if (applied && previous != null) {
                    cursor.putCurrent(new DatabaseEntry(encoded));
                } else if (applied && cursor.putNoOverwrite(key, new DatabaseEntry(encoded)) == OperationStatus.KEYEXIST) {
                    // Nothing was there to lock: a concurrent writer inserted the same key first.
                    // Tried again, a conditional apply then finds that record (and compares with it).
                    return null;
                }
            }
            int entriesDelta = 0;
            long expiresBefore = previous == null ? Record.NEVER : previous.expiresAt();
            if (applied && expiresBefore != record.expiresAt()) {
                entriesDelta = expiry.move(txn, segment, record.key(), expiresBefore, record.expiresAt());
            }
            if (applied && use != null) {
                indexed = new IndexMaintenance.Pending();
                indexes.applied(txn, segment, use.entries(), previous, stored, record, indexed);
            }
            Outbox.Recorded event = null;
            if (applied && outbox != null) {
                event = outbox.record(txn, segment, record, previous, type);
            }
            if (applied && recordCache != null) {
                // Set first: if stored() fails half-way (old entry dropped, new one not appended),
                // the abort must still make the cache forget the key.
                cacheTold = true;
                recordCache.stored(segment, record.key(), encoded);
            }
            txn.commit();
            txn = null;
            if (applied) {
                counts.changed(segment, previous == null ? 1 : 0);
                expiry.committed(segment, entriesDelta);
                if (indexed != null) {
                    indexes.committed(segment, indexed);
                }
                if (event != null) {
                    outbox.committed(segment, event);
                }
            }
            return event == null ? new ApplyResult(applied, previous) : new ApplyResult(applied, previous, event.type());
        } finally {
            abortHoldingLock(txn, cacheTold, segment, record.key(), indexed);
        }
    }

    /** Whether {@code previous} (null: none stored) is what a conditional apply expects. */
    private static boolean isStoredVersion(Record previous, Version expected) {
        return previous == null ? expected.equals(Version.ZERO) : previous.version().equals(expected);
    }

    /**
     * One attempt of purge: deletes the record if it is stored with exactly this version, and
     * its expiry index entry with it, and its secondary index entries while indexes are in use
     * (or keeps the change while they are only defined).
     */
    boolean purgeOnce(int segment, Record record) {
        Database db = segments[segment];
        DatabaseEntry key = new DatabaseEntry(record.key());
        DatabaseEntry data = new DatabaseEntry();
        IndexUse use = indexUse;
        Transaction txn = env.beginTransaction(null, null);
        boolean cacheTold = false;
        IndexMaintenance.Pending indexed = null;
        try {
            byte[] storedData = null;
            int entriesDelta = 0;
            if (db.get(txn, key, data, LockMode.RMW) == OperationStatus.SUCCESS) {
                byte[] found = bytes(data);
                if (RecordCodec.decodeVersion(record.key(), found).equals(record.version())
                        && db.delete(txn, key) == OperationStatus.SUCCESS) {
                    storedData = found;
                    entriesDelta = expiry.move(txn, segment, record.key(), RecordCodec.decodeExpiresAt(record.key(), found),
                            Record.NEVER);
                    if (use != null) {
                        indexed = new IndexMaintenance.Pending();
                        indexes.purged(txn, segment, use.entries(), record.key(), found, indexed);
                    }
                }
            }
            if (storedData != null && recordCache != null) {
                cacheTold = true; // first, as in applyOnce
                recordCache.purged(segment, record.key(), storedData); // under the lock, as applyOnce
            }
            txn.commit();
            txn = null;
            if (storedData != null) {
                counts.changed(segment, -1);
                expiry.committed(segment, entriesDelta);
                if (indexed != null) {
                    indexes.committed(segment, indexed);
                }
            }
            return storedData != null;
        } finally {
            abortHoldingLock(txn, cacheTold, segment, record.key(), indexed);
        }
    }

    /**
     * Aborts a write transaction that did not commit ({@code txn} not null). If the record cache
     * was told of its change ({@code cacheTold}: the commit failed), it forgets the key first,
     * while the record lock is still held, so no other writer can take the aborted change for
     * the stored record. A key the transaction counted as an unindexed change ({@code indexed})
     * is counted out again.
     */
    private void abortHoldingLock(Transaction txn, boolean cacheTold, int segment, byte[] key, IndexMaintenance.Pending indexed) {
        if (txn == null) {
            return;
        }
        if (cacheTold) {
            recordCache.invalidate(segment, key);
        }
        if (indexed != null) {
            indexes.abandoned(segment, indexed);
        }
        txn.abort();
    }
}

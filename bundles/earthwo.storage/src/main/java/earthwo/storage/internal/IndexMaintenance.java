package earthwo.storage.internal;

import com.sleepycat.je.Transaction;

import earthwo.api.Record;
import earthwo.api.storage.IndexEntries;

import java.util.Arrays;
import java.util.List;

/**
 * Keeps a record's secondary index entries ({@link SecondaryIndex}) in the transaction that
 * changes the record, holding its write lock: applies, purges, catch-ups and reindex steps.
 *
 * <p>What the index holds for a key is, at every commit, one of:
 * <ul>
 * <li>the key is not kept in {@link UnindexedChanges}: exactly the entries of its stored record
 *     (none for a tombstone or no record), with its expiry;
 * <li>the key is kept, with record Q: some of Q's entries (at most those).
 * </ul>
 * A write of a key that is not kept replaces the previous record's entries by the new one's,
 * writing only what differs. A write of a kept key starts from Q instead, checks every new entry,
 * and takes the key out: its entries are exact again. A write whose entries cannot be had (the
 * {@link IndexEntries} throws) changes nothing in the index and keeps the key, unless it is kept
 * already (the first record stays, as the index may still hold its entries). With no
 * {@code IndexEntries} in use every change keeps its key so. Were a write of a kept key to go from
 * its previous record instead, entries put while indexes were in use between two periods without
 * would stay behind for ever.
 *
 * <p>Whether a key is kept is looked up only in segments whose count of kept keys is not 0: in
 * the usual state (no key kept) an indexed write reads nothing more than its record.
 */
final class IndexMaintenance {

    /**
     * What one transaction did here, for once it committed ({@link #committed}) or not
     * ({@link #abandoned}); made before the transaction's first change, so that one that fails
     * half-way is still counted out.
     */
    static final class Pending {
        final IndexEntryCounts.Change change = new IndexEntryCounts.Change();
        /** The transaction kept a key that was not kept. */
        boolean kept;
        /** The transaction took a kept key out. */
        boolean taken;
    }

    private final SecondaryIndex index;
    private final UnindexedChanges unindexed;
    private final EntryExtraction extraction;

    IndexMaintenance(SecondaryIndex index, UnindexedChanges unindexed, EntryExtraction extraction) {
        this.index = index;
        this.unindexed = unindexed;
        this.extraction = extraction;
    }

    /**
     * In {@code txn}, which holds the record's write lock and applied {@code record} over
     * {@code previous} (null: none; {@code previousData} its stored form): moves the key's
     * entries with {@code entries}, or keeps the change when {@code entries} is null.
     */
    void applied(Transaction txn, int segment, IndexEntries entries, Record previous, byte[] previousData, Record record, Pending p) {
        byte[] key = record.key();
        if (entries == null) {
            // one insert attempt: a key kept already keeps its first record
            p.kept = unindexed.keep(txn, segment, key, hasEntries(previous) ? previousData : null);
            return;
        }
        byte[] kept = keptData(txn, segment, key);
        if (kept != null) {
            fromKept(txn, segment, entries, key, kept, record, p, "a write");
            return;
        }
        if (hasEntries(previous) && hasEntries(record) && previous.expiresAt() == record.expiresAt()
                && Arrays.equals(previous.value(), record.value())) {
            return; // the same value and expiry: the same entries
        }
        List<byte[]> before = hasEntries(previous) ? extraction.of(entries, segment, key, previous.value(), "a write") : List.of();
        List<byte[]> after;
        if (!hasEntries(record)) {
            after = List.of();
        } else if (hasEntries(previous) && Arrays.equals(previous.value(), record.value())) {
            after = before; // only the expiry changed: extracted once
        } else {
            after = extraction.of(entries, segment, key, record.value(), "a write");
        }
        if (before == null || after == null) {
            p.kept = unindexed.keep(txn, segment, key, hasEntries(previous) ? previousData : null);
            return;
        }
        index.replaceExact(txn, segment, key, before, expiresAt(previous), after, record.expiresAt(), p.change);
    }

    /**
     * In {@code txn}, which holds the record's write lock and deleted its stored record
     * ({@code purgedData}): the key's entries go with it, or the change is kept when
     * {@code entries} is null or the entries cannot be had.
     */
    void purged(Transaction txn, int segment, IndexEntries entries, byte[] key, byte[] purgedData, Pending p) {
        byte[] kept = keptData(txn, segment, key);
        boolean tombstone = RecordCodec.isTombstone(key, purgedData);
        if (kept != null) {
            if (entries != null) {
                fromKept(txn, segment, entries, key, kept, null, p, "a purge");
            }
            return;
        }
        if (tombstone) {
            return; // a tombstone has no entries
        }
        Record purged = RecordCodec.decode(key, purgedData);
        List<byte[]> before = entries == null ? null : extraction.of(entries, segment, key, purged.value(), "a purge");
        if (before == null) {
            p.kept = unindexed.keep(txn, segment, key, purgedData);
            return;
        }
        index.replaceExact(txn, segment, key, before, purged.expiresAt(), List.of(), Record.NEVER, p.change);
    }

    /**
     * In {@code txn}, which holds the record's write lock ({@code current}: its record, null if
     * none) and that of the key's entry in {@link UnindexedChanges} ({@code keptData}): brings
     * the kept key's entries to those of its current record with {@code entries} and takes it
     * out, unless the entries cannot be had (it stays kept for a later catch-up).
     */
    void catchUp(Transaction txn, int segment, IndexEntries entries, byte[] key, byte[] keptData, Record current, Pending p) {
        fromKept(txn, segment, entries, key, keptData, current, p, "a catch-up");
    }

    /**
     * In {@code txn}, which holds the record's write lock: puts the entries {@code entries} gives
     * for the live record {@code record} (stored as {@code data}). A kept key is left to its
     * catch-up, which puts all its entries; one whose entries cannot be had is kept, with its
     * current record, so that a catch-up tries again.
     */
    void reindexed(Transaction txn, int segment, IndexEntries entries, Record record, byte[] data, Pending p) {
        byte[] key = record.key();
        if (keptData(txn, segment, key) != null) {
            return;
        }
        List<byte[]> es = extraction.of(entries, segment, key, record.value(), "a reindex");
        if (es == null) {
            p.kept = unindexed.keep(txn, segment, key, data);
            return;
        }
        index.ensureAll(txn, segment, key, es, record.expiresAt(), p.change);
    }

    /** After the transaction of {@code p} committed: counts what it did. */
    void committed(int segment, Pending p) {
        index.counts.committed(segment, p.change);
        if (p.taken) {
            unindexed.taken(segment);
        }
    }

    /** The transaction of {@code p} did not commit: a key it counted as kept is not. */
    void abandoned(int segment, Pending p) {
        if (p.kept) {
            unindexed.abandoned(segment);
        }
    }

    /** The data a key is kept with (write-locked), or null if it is not kept; no lookup where no key is. */
    private byte[] keptData(Transaction txn, int segment, byte[] key) {
        return unindexed.mayHoldAny(segment) ? unindexed.find(txn, segment, key) : null;
    }

    /**
     * The key is kept with {@code keptData}: the index holds at most that record's entries. Makes
     * them exactly those of {@code current} (null: no record) and takes the key out, unless
     * either's entries cannot be had.
     */
    private void fromKept(Transaction txn, int segment, IndexEntries entries, byte[] key, byte[] keptData, Record current,
            Pending p, String during) {
        Record first = UnindexedChanges.isNoRecord(keptData) ? null : RecordCodec.decode(key, keptData);
        List<byte[]> before = hasEntries(first) ? extraction.of(entries, segment, key, first.value(), during) : List.of();
        List<byte[]> after;
        if (!hasEntries(current)) {
            after = List.of();
        } else if (hasEntries(first) && Arrays.equals(first.value(), current.value())) {
            after = before;
        } else {
            after = extraction.of(entries, segment, key, current.value(), during);
        }
        if (before == null || after == null) {
            return;
        }
        index.replaceKnownSubset(txn, segment, key, before, after, current == null ? Record.NEVER : current.expiresAt(), p.change);
        p.taken = unindexed.take(txn, segment, key);
    }

    /** A record with entries: stored and not a tombstone (expired ones keep theirs until they are purged). */
    private static boolean hasEntries(Record r) {
        return r != null && !r.isTombstone();
    }

    private static long expiresAt(Record r) {
        return r == null ? Record.NEVER : r.expiresAt();
    }
}

package earthwo.api.storage;

import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The node's local, durable record store (the storage bundle, on BDB JE): one database per
 * segment. It stores raw records, tombstones and expired ones included; deciding what readers
 * see is the caller's job.
 *
 * <p>Writes are last-writer-wins: a record replaces the stored one only if its version is newer,
 * inside one local transaction, so concurrent writers and replica applies cannot lose the newer
 * write.
 */
public interface SegmentStore {

    /** The raw stored record of a key (may be a tombstone or expired), or empty. */
    Optional<Record> read(int segment, byte[] key);

    /**
     * Stores {@code record} if it is newer than what is stored for its key. Returns the record
     * that was stored before (empty if none). The change is durable according to the store's
     * durability setting when this returns.
     *
     * @return the outcome: whether the record was applied, and the previous record
     */
    ApplyResult apply(int segment, Record record);

    /**
     * As {@link #apply}, but may return before the change has the durability the store promises:
     * the change is visible to reads at once, and {@link #durable()} called afterwards completes
     * once it is as durable as {@code apply} would have made it. A store may then make many
     * changes durable with one log write (group commit) instead of one write each. A caller
     * acknowledges such a change only after {@code durable()} completed; a reader may see it
     * before then, and a crash in between loses it (it was never acknowledged).
     *
     * <p>The default applies durably at once.
     */
    default ApplyResult applyDeferred(int segment, Record record) {
        return apply(segment, record);
    }

    /**
     * As {@link #applyDeferred}, but only if the stored record of the key has version
     * {@code expected} ({@link Version#ZERO}: no record is stored), checked under the same lock
     * as the write: a compare-and-set that lets a caller derive the new record from the stored
     * one (an expiry change keeps the value) without losing a write that came in between. When
     * the stored version differs nothing is written and the result is not applied, with the
     * stored record as its previous one (null if none).
     */
    default ApplyResult applyDeferredIf(int segment, Record record, Version expected) {
        throw new UnsupportedOperationException("this store has no conditional apply");
    }

    /**
     * As {@link #applyDeferred}; when the store keeps an outbox ({@link #keepsOutbox()}) and the
     * record is applied, the change is recorded in the segment's outbox in the same transaction,
     * as an event of {@code type}, or, when {@code type} is null, of the type the stored record
     * makes it: DELETED for a tombstone, UPDATED over a record live at the new version's time,
     * else CREATED. {@link ApplyResult#event()} tells what was recorded. A stale record records
     * nothing: its key already holds a newer change, whose event came first.
     */
    default ApplyResult applyDeferred(int segment, Record record, EventType type) {
        return applyDeferred(segment, record);
    }

    /** {@link #applyDeferredIf} that records its event as {@link #applyDeferred(int, Record, EventType)} does. */
    default ApplyResult applyDeferredIf(int segment, Record record, Version expected, EventType type) {
        return applyDeferredIf(segment, record, expected);
    }

    /**
     * Completes once every change {@link #applyDeferred} returned before this call is durable
     * according to the store's durability setting; completes exceptionally if the store could
     * not write its log (the changes' fate is then unknown). Completions may run on a thread of
     * the store: callers hand heavy work to their own executor.
     */
    default CompletionStage<Void> durable() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Raw records of a segment in key order whose key starts with {@code prefix}, strictly after
     * {@code startAfter} (null = from the start), at most {@code limit}.
     */
    List<Record> scan(int segment, byte[] prefix, byte[] startAfter, int limit);

    /**
     * Entries of the segment's expiry index with {@code expiresAt <= upTo}, in (expiresAt, key)
     * order, at most {@code limit}. The index changes in the same transaction as the records, so
     * every entry names a stored record with that expiry (which a reader checks, as a record may
     * change right after the entry was read).
     */
    default List<ExpiryEntry> expiring(int segment, long upTo, int limit) {
        return List.of();
    }

    /** Number of entries of the segment's expiry index: stored records that have an expiry. */
    default long expiryIndexSize(int segment) {
        return 0;
    }

    /**
     * Compares the segment's expiry index with its records (walks both: for operators and
     * tests, not for a request path).
     */
    default ExpiryIndexCheck verifyExpiryIndex(int segment) {
        throw new UnsupportedOperationException("this store keeps no expiry index");
    }

    /** Whether this store records every applied change in its segments' outboxes (for hooks). */
    default boolean keepsOutbox() {
        return false;
    }

    /**
     * Switches the outbox on, for good: from now on every applied change records its event, and
     * {@link #keepsOutbox()} is true, also after the store is opened again. Changes applied
     * before have no events. Does nothing if the outbox is on.
     */
    default void keepOutbox() {
        throw new UnsupportedOperationException("this store keeps no outbox");
    }

    /**
     * Events of the segment's outbox with versions after {@code after} ({@link Version#ZERO}: from
     * the first), in version order, at most {@code limit}.
     */
    default List<KeyEvent> events(int segment, Version after, int limit) {
        return List.of();
    }

    /**
     * As {@link #events(int, Version, int)}, but only events whose versions' wall-clock time is
     * at most {@code throughMillis}: a reader that waits for events to settle reads no event it
     * would put back.
     */
    default List<KeyEvent> events(int segment, Version after, long throughMillis, int limit) {
        List<KeyEvent> all = events(segment, after, limit);
        int n = 0;
        while (n < all.size() && all.get(n).version().wallMillis() <= throughMillis) {
            n++;
        }
        return all.subList(0, n);
    }

    /** Removes the segment's events with versions up to {@code through}; returns how many. */
    default long trimEvents(int segment, Version through) {
        return 0;
    }

    /** Events held in the segment's outbox. */
    default long outboxSize(int segment) {
        return 0;
    }

    /**
     * What the store dropped from the segment's outbox because the outbox was full: the newest
     * dropped version and how many were dropped since the store was created; null if none.
     */
    default OutboxLoss outboxLoss(int segment) {
        return null;
    }

    /**
     * Durable delivery positions kept under {@code name} (a hook's): per segment, the version
     * through which its events were acknowledged. Empty for an unknown name.
     */
    default Map<Integer, Version> positions(String name) {
        return Map.of();
    }

    /** Moves {@code name}'s position in the segment forward to {@code through} (never back). */
    default void savePosition(String name, int segment, Version through) {
        throw new UnsupportedOperationException("this store keeps no delivery positions");
    }

    /** Names with positions, each with the wall-clock time (epoch ms) a position of it was last saved. */
    default Map<String, Long> positionNames() {
        return Map.of();
    }

    /** Forgets every position of {@code name}. */
    default void dropPositions(String name) {
    }

    // ---- secondary indexes ----

    /**
     * From now on, every write keeps the segments' index entries with {@code entries}, in the
     * record's transaction: the entries of the record it replaces go, the new record's come (none
     * for a tombstone), and an entry whose record's expiry changed is rewritten. Null: no
     * entries are kept; while {@link #noteIndexesDefined} says indexes exist, every applied
     * change is then kept as an unindexed change instead, for {@link #catchUpIndexes}.
     */
    default void useIndexEntries(IndexEntries entries) {
        throw new UnsupportedOperationException("this store keeps no secondary indexes");
    }

    /**
     * Whether any secondary index is defined; kept durably, so that a store opened again before
     * the indexes bundle binds its {@link IndexEntries} keeps every change for it.
     */
    default void noteIndexesDefined(boolean defined) {
        throw new UnsupportedOperationException("this store keeps no secondary indexes");
    }

    /**
     * Brings the entries of up to {@code limit} keys changed while no {@link IndexEntries} was in
     * use (or whose entries could not be had) up to date with the current one: per key, in one
     * transaction under the record's lock, the entries of the value it had when it was first
     * kept go and those of its current record come. Returns how many keys it took (0: none left).
     */
    default int catchUpIndexes(int segment, int limit) {
        return 0;
    }

    /** Keys of all segments waiting for {@link #catchUpIndexes}. */
    default long unindexedChanges() {
        return 0;
    }

    /**
     * Adds the entries {@code entries} gives for up to {@code limit} live records of the segment
     * with keys after {@code startAfter} (null: from the first), in key order, each under its
     * record's lock, so a write that comes meanwhile finds them and keeps them right. For filling
     * a new index while writes go on; putting an entry that exists already changes nothing.
     */
    default ReindexStep reindex(int segment, byte[] startAfter, int limit, IndexEntries entries) {
        throw new UnsupportedOperationException("this store keeps no secondary indexes");
    }

    /**
     * Stored index entries of the segment whose (entry, key) bytes are at least {@code from} and
     * below {@code to} (unsigned order, entry bytes then key bytes), in that order, at most
     * {@code limit}. Entries of expired records are included ({@link IndexHit#isExpiredAt}).
     */
    default List<IndexHit> indexEntries(int segment, byte[] from, byte[] to, int limit) {
        return List.of();
    }

    /** Removes up to {@code limit} of the segment's index entries that start with {@code prefix}; returns how many. */
    default int dropIndexEntries(int segment, byte[] prefix, int limit) {
        return 0;
    }

    /** Number of the segment's index entries that start with the 4-byte index id {@code indexId}. */
    default long indexEntryCount(int segment, int indexId) {
        return 0;
    }

    /** Removes a record outright (tombstone purge), only if it still has {@code version}. */
    boolean purge(int segment, Record record);

    /** Number of records stored for a segment (tombstones included); may be approximate. */
    long count(int segment);

    /**
     * A number that grows every time a record of the segment changes in this store instance (an
     * apply that changed something, a purge that removed something), counted after the change is
     * visible: a scan that starts after reading the number sees every change it counts, and one
     * that started before a change sees the number grow. Lets a caller reuse what it derived from
     * a scan while the segment is unchanged. Restarts with the store; -1 (the default) when the
     * store does not keep it, which means "may have changed".
     */
    default long changeCount(int segment) {
        return -1;
    }

    /** Number of segments this store was opened with. */
    int segmentCount();

    /** Outcome of {@link #apply}. */
    final class ApplyResult {
        private final boolean applied;
        private final Record previous;
        private final EventType event;

        public ApplyResult(boolean applied, Record previous) {
            this(applied, previous, null);
        }

        public ApplyResult(boolean applied, Record previous, EventType event) {
            this.applied = applied;
            this.previous = previous;
            this.event = event;
        }

        /** The type of the event recorded in the outbox for this change, or null if none was. */
        public EventType event() {
            return event;
        }

        /** True if the record was newer and is now stored. */
        public boolean applied() {
            return applied;
        }

        /** The record stored before, or null. */
        public Record previous() {
            return previous;
        }
    }
}

package earthwo.storage.internal;

import earthwo.api.logging.RateLimitedLog;
import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.Get;
import com.sleepycat.je.LockConflictException;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationResult;
import com.sleepycat.je.Put;
import com.sleepycat.je.ReadOptions;
import com.sleepycat.je.Transaction;
import com.sleepycat.je.TransactionConfig;

import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.storage.OutboxLoss;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The outbox of one opening of a store: per segment a JE database ({@code evt-0000} …, entries
 * in {@link EventCodec}'s form, in version order) holding one event per applied change, which
 * the segment's master delivers to hooks from. Writers record an event in the record's
 * transaction ({@link #record}) and report what changed once committed ({@link #committed}); the
 * counts are taken when the environment opens, as {@link ExpiryIndex}'s are, so they are exact.
 *
 * <p>The outboxes of all segments hold {@code maxEvents} together. A write whose event takes
 * them past it evicts, right after its commit, the oldest other event of its own segment, in a
 * transaction of its own that also counts the loss in {@link OutboxLosses} (so a drop is
 * durable exactly when its count is). Not in the write's transaction: that one holds the
 * record's lock and its new event's, and waiting there for the lock of a segment's first event
 * (held by a reader, a trim or another writer's eviction) made lock cycles between writers,
 * readers and trims that ended in lock timeouts; after the commit the eviction holds no other
 * lock. Each event counted past the bound evicts one, unless a trim made room meanwhile, so
 * concurrent writers evict neither too few nor too many. A segment whose only event is the
 * write's own keeps it: a quiet segment is not made to lose every event to a busy one. So the
 * bound is passed by at most one event per segment, plus the events committed but not yet
 * evicted for, plus one per eviction that failed (logged; trims make the room back).
 */
final class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    /** Events one trim transaction deletes at most: bounds the locks it holds, and how long writers wait for them. */
    static final int TRIM_BATCH = 1_000;
    /**
     * Trims commit without fsync: a trim lost in a crash only brings back events the hooks'
     * positions already passed, which the next trim removes again.
     */
    private static final TransactionConfig TRIM_COMMIT = new TransactionConfig().setDurability(Durability.COMMIT_NO_SYNC);
    private static final ReadOptions RMW = new ReadOptions().setLockMode(LockMode.RMW);

    /**
     * Attempts of an eviction that meets lock conflicts: a deadlock's victim tries once more;
     * a lock held past the lock timeout would most likely be held again, and the writer waits.
     */
    private static final int EVICTION_ATTEMPTS = 2;
    /** Evictions commit without fsync: one lost in a crash only brings an event back (and its loss count with it). */
    private static final TransactionConfig EVICT_COMMIT = TRIM_COMMIT;

    /** What {@link #record} did in a transaction, for {@link #committed}: the event's type and key, and whether it is new. */
    record Recorded(EventType type, byte[] key, boolean added) {
    }

    private final Path dir;
    private final Environment env;
    private final Database[] dbs;
    private final OutboxLosses losses;
    private final long maxEvents;
    private final int valueBytes;
    /** Events per segment, and of all segments: counted at open, then moved by each committed change. */
    private final AtomicLongArray sizes;
    private final AtomicLong total = new AtomicLong();
    private final RateLimitedLog dropLines = new RateLimitedLog();
    private final RateLimitedLog failedEvictionLines = new RateLimitedLog();

    /** Counts every segment's events; call before any writer can use the databases. */
    Outbox(StorageSettings settings, Environment env, Database[] dbs, OutboxLosses losses) {
        this.dir = settings.dir();
        this.env = env;
        this.dbs = dbs;
        this.losses = losses;
        this.maxEvents = settings.outboxMaxEvents();
        this.valueBytes = settings.outboxValueBytes();
        this.sizes = new AtomicLongArray(dbs.length);
        for (int i = 0; i < dbs.length; i++) {
            long n = dbs[i].count();
            sizes.set(i, n);
            total.addAndGet(n);
        }
    }

    static String databaseName(int segment) {
        return String.format("evt-%04d", segment);
    }

    /**
     * The type of {@code record}'s change over {@code previous} (null: none stored) when the
     * writer did not say: DELETED for a tombstone, UPDATED over a record a reader saw at the
     * new version's time, else CREATED (a value over nothing, a tombstone or an expired one).
     */
    static EventType decide(Record record, Record previous) {
        if (record.isTombstone()) {
            return EventType.DELETED;
        }
        return previous != null && previous.isLiveAt(record.version().wallMillis()) ? EventType.UPDATED : EventType.CREATED;
    }

    /**
     * In {@code txn}, which holds the record's write lock and applied it: records the event of
     * {@code type} (null: {@link #decide}d). Returns what to tell {@link #committed}.
     */
    Recorded record(Transaction txn, int segment, Record record, Record previous, EventType type) {
        EventType t = type != null ? type : decide(record, previous);
        byte[] key = EventCodec.key(record);
        OperationResult put = dbs[segment].put(txn, new DatabaseEntry(key),
                new DatabaseEntry(EventCodec.data(t, record, valueBytes)), Put.OVERWRITE, null);
        // An update is the same change recorded again (a tombstone applied again after its purge): nothing grows.
        return new Recorded(t, key, !put.isUpdate());
    }

    /**
     * After the transaction of a {@link #record} committed: counts its event and, when that
     * takes the outboxes past the bound, evicts one (see the class comment). Never throws: the
     * write is done whatever happens to the eviction.
     */
    void committed(int segment, Recorded recorded) {
        if (!recorded.added()) {
            return;
        }
        sizes.incrementAndGet(segment);
        if (total.incrementAndGet() > maxEvents) {
            evictOldest(segment, recorded.key());
        }
    }

    /** Evicts the segment's oldest event other than {@code keep}, counting the loss, unless there is room again. */
    private void evictOldest(int segment, byte[] keep) {
        for (int attempt = 1; ; attempt++) {
            try {
                evictOnce(segment, keep);
                return;
            } catch (LockConflictException e) {
                if (attempt < EVICTION_ATTEMPTS) {
                    continue;
                }
                failedEviction(segment, e);
                return;
            } catch (RuntimeException e) {
                failedEviction(segment, e); // a full disk, a failed environment: the write stands; trims make room
                return;
            }
        }
    }

    private void evictOnce(int segment, byte[] keep) {
        Transaction txn = env.beginTransaction(null, EVICT_COMMIT);
        try {
            Version dropped = total.get() > maxEvents ? deleteOldest(txn, segment, keep) : null;
            if (dropped == null) {
                return; // room again (a trim), or the write's own event is the segment's only one
            }
            OutboxLoss loss = losses.add(txn, segment, dropped);
            txn.commit();
            txn = null;
            sizes.decrementAndGet(segment);
            total.decrementAndGet();
            losses.committed(segment, loss);
            long n = dropLines.event();
            if (n > 0) {
                LOG.warn("storage outboxes of store {} are full ({} events, {}): dropped the oldest event of segment {} "
                        + "(version {}; {} dropped from it in all); {} events dropped since the last line. Hooks that "
                        + "had not got them are told of a gap", dir, total.get(), StorageSettings.OUTBOX_MAX_EVENTS,
                        segment, dropped, loss.count(), n);
            }
        } finally {
            if (txn != null) {
                abortQuietly(txn);
            }
        }
    }

    private void failedEviction(int segment, RuntimeException e) {
        long n = failedEvictionLines.event();
        if (n > 0) {
            LOG.warn("storage could not evict from the full outbox of segment {} of store {} ({} failures since the last line)",
                    segment, dir, n, e);
        }
    }

    private static void abortQuietly(Transaction txn) {
        try {
            txn.abort();
        } catch (RuntimeException e) {
            LOG.debug("storage could not abort an outbox eviction", e);
        }
    }

    /** Deletes the segment's first event other than {@code keep}; returns its version, or null if there is none. */
    private Version deleteOldest(Transaction txn, int segment, byte[] keep) {
        DatabaseEntry key = new DatabaseEntry();
        try (Cursor cursor = dbs[segment].openCursor(txn, null)) {
            OperationResult at = cursor.get(key, null, Get.FIRST, RMW);
            if (at != null && Arrays.equals(bytes(key), keep)) {
                at = cursor.get(key, null, Get.NEXT, RMW);
            }
            if (at == null) {
                return null;
            }
            byte[] k = bytes(key);
            cursor.delete();
            return EventCodec.versionOf(k);
        }
    }

    /**
     * Up to {@code limit} events with versions after {@code after} and wall-clock times up to
     * {@code throughMillis}, in version order. Events
     * that share the last one's version (changes of several keys written with one version) come
     * with it even past the limit, so a caller that pages on by version misses none. Read
     * committed, as the expiry index is read.
     */
    List<KeyEvent> events(int segment, Version after, long throughMillis, int limit) {
        List<KeyEvent> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit == 0) {
            return out;
        }
        DatabaseEntry key = new DatabaseEntry(EventCodec.versionKey(after));
        DatabaseEntry data = new DatabaseEntry();
        try (Cursor cursor = dbs[segment].openCursor(null, CursorConfig.READ_COMMITTED)) {
            OperationResult at = cursor.get(key, data, Get.SEARCH_GTE, null);
            Version last = null;
            while (at != null) {
                byte[] k = bytes(key);
                Version v = EventCodec.versionOf(k);
                if (v.wallMillis() > throughMillis) {
                    break;
                }
                if (v.isNewerThan(after)) {
                    if (out.size() >= limit && !v.equals(last)) {
                        break;
                    }
                    out.add(EventCodec.decode(segment, k, bytes(data)));
                    last = v;
                }
                at = cursor.get(key, data, Get.NEXT, null);
            }
        }
        return out;
    }

    /**
     * One transaction of a trim: deletes up to {@link #TRIM_BATCH} of the segment's first events
     * with versions up to {@code through} and returns how many (fewer than the batch: none is
     * left). Version order is key order, so they are the segment's first events.
     */
    int trimBatch(int segment, Version through) {
        DatabaseEntry key = new DatabaseEntry();
        Transaction txn = env.beginTransaction(null, TRIM_COMMIT);
        int deleted = 0;
        try {
            try (Cursor cursor = dbs[segment].openCursor(txn, null)) {
                OperationResult at = cursor.get(key, null, Get.FIRST, RMW);
                while (at != null && deleted < TRIM_BATCH && !EventCodec.versionOf(bytes(key)).isNewerThan(through)) {
                    cursor.delete();
                    deleted++;
                    at = cursor.get(key, null, Get.NEXT, RMW);
                }
            }
            txn.commit();
            txn = null;
        } finally {
            if (txn != null) {
                txn.abort();
            }
        }
        if (deleted > 0) {
            sizes.addAndGet(segment, -deleted);
            total.addAndGet(-deleted);
        }
        return deleted;
    }

    long size(int segment) {
        return sizes.get(segment);
    }

    long totalSize() {
        return total.get();
    }

    OutboxLoss loss(int segment) {
        return losses.loss(segment);
    }

    long totalDropped() {
        return losses.totalDropped();
    }
}

package earthwo.storage.internal;

import com.sleepycat.je.Environment;

import earthwo.api.EarthwoException;
import earthwo.api.storage.IndexEntries;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * One opening of a store's JE environment, with everything bound to its handles: the
 * {@link JeOperationGuard} every operation passes (and its gate), the reads, the writes, the
 * expiry index, the secondary indexes with their unindexed changes, catch-up and reindex, the
 * outbox, the hooks' delivery positions, the deferred commits, the hint store, and the record
 * cache with its warm-up. A
 * store whose environment failed closes its OpenEnvironment and opens a new one in its place
 * ({@link EnvironmentReopener}); requests take the store's current one once each.
 *
 * <p>The record cache starts anew with each opening: a deferred commit the cache was told of
 * may have been lost with the failed environment's log buffer, and the cache must not go on
 * answering with it. The expiry index, the secondary indexes, the unindexed changes and the
 * outbox count their entries anew for the same reason.
 */
final class OpenEnvironment {

    private final Path dir;
    final JeHandles je;
    final JeOperationGuard guard;
    final SegmentReads reads;
    final SegmentWrites writes;
    /** The segments' expiry indexes, counted anew with each opening. */
    final ExpiryIndex expiry;
    /** The segments' secondary index entries, counted anew with each opening. */
    final SecondaryIndex index;
    /** Keys whose index entries wait for a catch-up, counted anew with each opening. */
    final UnindexedChanges unindexed;
    final EntryExtraction extraction;
    final IndexCatchUp catchUp;
    final Reindex reindex;
    /** The IndexEntries in use (null: none), as the store last said. */
    private IndexEntries indexEntries;
    /** Whether indexes are defined: read from the store's metadata at open, then as noted. */
    private boolean indexesDefined;
    /**
     * The segments' outboxes, counted anew with each opening; null while the outbox is off (set
     * once by {@link #switchOutboxOn}).
     */
    volatile Outbox outbox;
    private final StorageSettings settings;
    final DeliveryPositions positions;
    final DeferredCommits deferredCommits;
    final JeHintStore hints;
    /** Records of recent reads and writes in front of JE; null when configured off. */
    final RecordCache recordCache;
    /** Loads the record cache after the environment opens; null when the cache or the warm-up is off. */
    final RecordCacheWarmup warmup;

    private OpenEnvironment(StorageSettings settings, JeHandles je, SegmentCounts counts, JeFailures failures,
            ThreadLocal<GroupCommit.Burst> bursts, IndexEntries indexEntries) {
        this.dir = settings.dir();
        this.settings = settings;
        this.je = je;
        int segments = je.segments.length;
        this.recordCache = newRecordCache(settings, je);
        this.guard = new JeOperationGuard(segments, je.env, failures);
        this.reads = new SegmentReads(je.segments, recordCache);
        this.expiry = new ExpiryIndex(je.expiry);
        this.index = new SecondaryIndex(je.env, je.index);
        this.unindexed = new UnindexedChanges(je.unindexed);
        this.extraction = new EntryExtraction(settings.dir());
        IndexMaintenance indexes = new IndexMaintenance(index, unindexed, extraction);
        this.outbox = je.events == null ? null
                : new Outbox(settings, je.env, je.events, new OutboxLosses(je.outboxLosses, segments));
        this.positions = new DeliveryPositions(je.env, je.positions, System::currentTimeMillis);
        this.writes = new SegmentWrites(settings.dir(), je.env, je.segments, recordCache, counts, expiry, indexes, outbox);
        LockedRecords locked = new LockedRecords(recordCache);
        this.catchUp = new IndexCatchUp(je.env, je.segments, locked, indexes, unindexed, writes);
        this.reindex = new Reindex(je.env, je.segments, locked, indexes, writes);
        this.indexEntries = indexEntries;
        this.indexesDefined = je.indexesDefined;
        writes.useIndexes(indexUse());
        this.hints = new JeHintStore(guard, segments, je.hints);
        this.warmup = recordCache != null && settings.recordCacheWarmup()
                ? new RecordCacheWarmup(settings.dir().toString(), recordCache, segments,
                        new JeWarmupLoader(guard, je.segments, recordCache))
                : null;
        this.deferredCommits = new DeferredCommits(settings, je.env, guard, bursts);
    }

    /**
     * Opens (creating if needed) the store's environment and starts the record cache's warm-up.
     *
     * @throws IllegalStateException if the directory cannot be used or the store was created
     *         with another segment count
     */
    static OpenEnvironment open(StorageSettings settings, SegmentCounts counts, JeFailures failures,
            ThreadLocal<GroupCommit.Burst> bursts, IndexEntries indexEntries) {
        JeHandles je = JeHandles.open(settings);
        try {
            OpenEnvironment opened = new OpenEnvironment(settings, je, counts, failures, bursts, indexEntries);
            if (opened.warmup != null) {
                opened.warmup.start();
            }
            return opened;
        } catch (RuntimeException e) {
            throw je.closeAfterFailedOpen(settings.dir(), e);
        }
    }

    /**
     * The record cache, or null when configured off. Segments empty at open are complete: a key
     * the cache does not hold is then known to be absent without a B-tree search.
     */
    private static RecordCache newRecordCache(StorageSettings settings, JeHandles je) {
        if (settings.recordCacheBytes() <= 0) {
            return null;
        }
        RecordCache cache = new RecordCache(settings.recordCacheBytes(), je.segments.length);
        for (int i = 0; i < je.segments.length; i++) {
            if (je.isEmpty(i)) {
                cache.markComplete(i);
            }
        }
        return cache;
    }

    /**
     * Switches the outbox on in this opening (and, through the store's metadata, in every later
     * one): the writes applied from now on record their events. Runs as an operation of the
     * guard, so it fails as other operations do while the environment is closing or failed.
     */
    synchronized void switchOutboxOn() {
        if (outbox != null) {
            return;
        }
        guard.gated("store metadata and outbox databases", "switch the outbox on", () -> {
            je.switchOutboxOn(je.segments.length);
            return null;
        });
        Outbox on = new Outbox(settings, je.env, je.events, new OutboxLosses(je.outboxLosses, je.segments.length));
        outbox = on;
        writes.recordEventsIn(on);
    }

    /** From now on writes keep index entries with {@code entries} (null: none in use). */
    synchronized void useIndexEntries(IndexEntries entries) {
        indexEntries = entries;
        writes.useIndexes(indexUse());
    }

    /**
     * Notes durably whether indexes are defined and, while none is in use, makes writes keep
     * their changes for a catch-up (or stop). Runs as an operation of the guard.
     */
    synchronized void noteIndexesDefined(boolean defined) {
        guard.gated("store metadata", "note indexes defined", () -> {
            je.noteIndexesDefined(defined);
            return null;
        });
        indexesDefined = defined;
        writes.useIndexes(indexUse());
    }

    synchronized boolean indexesDefined() {
        return indexesDefined;
    }

    /** What writes do about indexes: nothing while none is defined and none is in use. */
    private IndexUse indexUse() {
        return indexEntries == null && !indexesDefined ? null : new IndexUse(indexEntries);
    }

    Environment environment() {
        return je.env;
    }

    /**
     * Closes this opening: stops the warm-up, lets no more operations in (later ones fail with
     * {@code refusal}'s error) and waits for the running ones, writes for the deferred commits
     * still waiting, then closes every JE handle. Idempotent but for the refusal, which a later
     * call replaces (a store closed while reopening its environment says it is closed).
     */
    void close(Supplier<EarthwoException> refusal) {
        if (warmup != null) {
            warmup.stop(); // before the guard: its steps are operations too
        }
        if (!guard.close(refusal)) {
            return;
        }
        deferredCommits.close();
        je.close(dir);
    }
}

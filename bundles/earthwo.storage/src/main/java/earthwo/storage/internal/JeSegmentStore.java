package earthwo.storage.internal;

import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentStats;
import com.sleepycat.je.StatsConfig;
import com.sleepycat.je.TransactionConfig;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.storage.CommitBursts;
import earthwo.api.storage.ExpiryEntry;
import earthwo.api.storage.ExpiryIndexCheck;
import earthwo.api.storage.IndexEntries;
import earthwo.api.storage.IndexHit;
import earthwo.api.storage.OutboxLoss;
import earthwo.api.storage.ReindexStep;
import earthwo.api.storage.SegmentStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The {@link SegmentStore} on BDB JE: one transactional environment in the store directory, one
 * JE database per segment and a metadata database ({@link JeHandles}). Owns every JE handle it
 * opens; {@link #close()} releases all of them (and JE's threads and directory lock), waiting for
 * operations in flight. After close every operation fails with {@link ErrorCode#UNAVAILABLE}.
 *
 * <p>This class checks each request and runs it through the current {@link OpenEnvironment}:
 * its {@link JeOperationGuard} (open environment, typed errors), then {@link SegmentReads},
 * {@link SegmentWrites} (inside {@link SegmentCounts#countedWrite}; they keep the
 * {@link ExpiryIndex}, the secondary indexes while in use or defined ({@link IndexMaintenance})
 * and, when it is on, the {@link Outbox} in the records' transactions), the secondary indexes'
 * {@link IndexCatchUp} and {@link Reindex},
 * {@link DeferredCommits} (group commit, commit bursts), the {@link JeHintStore} and the hooks'
 * {@link DeliveryPositions}. A request reads the current
 * environment once; nothing else is added to the way of a request that succeeds.
 *
 * <p>When the disk is down to its reserve, writes fail with UNAVAILABLE until space is freed
 * ({@link DiskReserve}). When the JE environment fails (a failed log write, ENOSPC), every request
 * fails with UNAVAILABLE while it is reopened in the background ({@link EnvironmentReopener}).
 * Both run their checks and attempts on one upkeep thread, started on first need.
 */
final class JeSegmentStore implements SegmentStore, CommitBursts, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JeSegmentStore.class);

    private final StorageSettings settings;
    private final SegmentCounts counts;
    /** Commit bursts open on threads, shared by the group commits of the environments opened in turn. */
    private final ThreadLocal<GroupCommit.Burst> bursts = new ThreadLocal<>();
    private final ScheduledThreadPoolExecutor upkeep;
    private final DiskReserve diskReserve;
    private final EnvironmentReopener reopener;
    private final JeFailures failures;
    /** Guards {@link #closed} and the replacement of {@link #current}. */
    private final Object lifecycle = new Object();
    private volatile boolean closed;
    /** The environment requests use; replaced after a failure, never null. */
    private volatile OpenEnvironment current;
    /** The IndexEntries in use, null if none; set under {@link #lifecycle}, so that a reopened environment uses it too. */
    private volatile IndexEntries indexEntries;

    private JeSegmentStore(StorageSettings settings) {
        this.settings = settings;
        this.counts = new SegmentCounts(settings.segments());
        this.upkeep = newUpkeep();
        this.diskReserve = new DiskReserve(settings.dir(), settings.freeDiskBytes(), upkeep, this::jeAcceptsWrites);
        this.reopener = new EnvironmentReopener(settings.dir(), upkeep, new EnvironmentReopener.Target() {
            @Override
            public Environment current() {
                return current.environment();
            }

            @Override
            public boolean reopen(Environment failed) {
                return reopenEnvironment(failed);
            }
        });
        this.failures = new JeFailures(settings.dir(), diskReserve, reopener);
    }

    /**
     * Opens (creating if needed) the store described by {@code settings}.
     *
     * @throws IllegalStateException if the directory cannot be used or the store was created
     *         with another segment count
     */
    static JeSegmentStore open(StorageSettings settings) {
        JeSegmentStore store = new JeSegmentStore(settings);
        try {
            store.current = OpenEnvironment.open(settings, store.counts, store.failures, store.bursts, null);
            return store;
        } catch (RuntimeException e) {
            store.upkeep.shutdownNow();
            throw e;
        }
    }

    /** One daemon thread, started by the first task; scheduled tasks are dropped at shutdown. */
    private static ScheduledThreadPoolExecutor newUpkeep() {
        ScheduledThreadPoolExecutor upkeep = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "earthwo-storage-upkeep");
            t.setDaemon(true);
            return t;
        });
        upkeep.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        upkeep.setRemoveOnCancelPolicy(true);
        return upkeep;
    }

    // ---- SegmentStore ----

    @Override
    public Optional<Record> read(int segment, byte[] key) {
        checkKey(key);
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "read", () -> e.reads.read(segment, key));
    }

    /** With the outbox on, records the change's event of the type the records make it (as every apply without a type). */
    @Override
    public ApplyResult apply(int segment, Record record) {
        OpenEnvironment e = current;
        return applyWith(e, segment, record, null, null, null);
    }

    @Override
    public ApplyResult applyDeferred(int segment, Record record) {
        OpenEnvironment e = current;
        return applyWith(e, segment, record, e.deferredCommits.transactionConfig(), null, null);
    }

    @Override
    public ApplyResult applyDeferred(int segment, Record record, EventType type) {
        checkEventType(type);
        OpenEnvironment e = current;
        return applyWith(e, segment, record, e.deferredCommits.transactionConfig(), null, type);
    }

    @Override
    public ApplyResult applyDeferredIf(int segment, Record record, Version expected) {
        return applyDeferredIf(segment, record, expected, null);
    }

    @Override
    public ApplyResult applyDeferredIf(int segment, Record record, Version expected, EventType type) {
        if (expected == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a conditional apply needs an expected version");
        }
        checkEventType(type);
        OpenEnvironment e = current;
        return applyWith(e, segment, record, e.deferredCommits.transactionConfig(), expected, type);
    }

    /**
     * Applies committing with the store's durability ({@code txnConfig} null) or {@code txnConfig}'s,
     * only over a stored record of version {@code expected} unless it is null, recording an
     * event of {@code type} (null: decided) when the outbox is on.
     */
    private ApplyResult applyWith(OpenEnvironment e, int segment, Record record, TransactionConfig txnConfig,
            Version expected, EventType type) {
        checkKey(record.key());
        if (record.expiresAt() < 0) {
            // The expiry index orders entries by unsigned bytes: a negative expiry would sort after every other.
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "expiresAt must not be negative: " + record.expiresAt());
        }
        byte[] encoded = RecordCodec.encode(record);
        String op = expected == null ? "apply" : "conditional apply";
        return e.guard.guarded(segment, op, () -> counts.countedWrite(segment,
                () -> e.writes.retrying(segment, op, () -> e.writes.applyOnce(segment, record, encoded, txnConfig, expected, type))));
    }

    /** A GAP is no change: only the hooks' delivery makes one, from {@link #outboxLoss}. */
    private static void checkEventType(EventType type) {
        if (type == EventType.GAP) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a write's event cannot be a GAP");
        }
    }

    @Override
    public CompletionStage<Void> durable() {
        return current.deferredCommits.durable();
    }

    @Override
    public boolean begin() {
        return current.deferredCommits.beginBurst();
    }

    @Override
    public void end() {
        current.deferredCommits.endBurst();
    }

    @Override
    public List<Record> scan(int segment, byte[] prefix, byte[] startAfter, int limit) {
        if (limit < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "scan limit must not be negative: " + limit);
        }
        byte[] pre = prefix == null ? new byte[0] : prefix;
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "scan", () -> e.reads.scan(segment, pre, startAfter, limit));
    }

    @Override
    public List<ExpiryEntry> expiring(int segment, long upTo, int limit) {
        if (limit < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "expiring limit must not be negative: " + limit);
        }
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "expiring", () -> e.expiry.expiring(segment, upTo, limit));
    }

    @Override
    public long expiryIndexSize(int segment) {
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "expiry index size", () -> e.expiry.size(segment));
    }

    /**
     * Compares the segment's expiry index with its records (see {@link ExpiryIndexCheck} for
     * what it finds and how exact it is while writes go on). Walks both: an operator's check,
     * not a request path.
     */
    @Override
    public ExpiryIndexCheck verifyExpiryIndex(int segment) {
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "verify expiry index",
                () -> ExpiryIndexVerifier.of(segment, e.je.segments[segment], e.expiry.database(segment)));
    }

    // ---- outbox and delivery positions ----

    /**
     * Whether the outbox is on: configured, or switched on ({@link #keepOutbox}); read from the
     * settings and the current opening, so it holds while the environment reopens too.
     */
    @Override
    public boolean keepsOutbox() {
        return settings.outboxEnabled() || current.outbox != null;
    }

    /**
     * Switches the outbox on for good (it stays on through restarts, noted in the store's
     * metadata). Under the lifecycle lock, so that an environment reopening meanwhile opens
     * with it or gets it switched on here.
     */
    @Override
    public void keepOutbox() {
        synchronized (lifecycle) {
            if (closed) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "the store " + settings.dir() + " is closed");
            }
            if (current.outbox == null) {
                current.switchOutboxOn();
                LOG.info("storage store {}: outbox switched on; every applied change now records its event, also"
                        + " after restarts", settings.dir());
            }
        }
    }

    @Override
    public List<KeyEvent> events(int segment, Version after, int limit) {
        return events(segment, after, Long.MAX_VALUE, limit);
    }

    @Override
    public List<KeyEvent> events(int segment, Version after, long throughMillis, int limit) {
        if (limit < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "events limit must not be negative: " + limit);
        }
        if (after == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "events need a version to start after (Version.ZERO: the first)");
        }
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "events", () -> e.outbox == null ? List.<KeyEvent>of() : e.outbox.events(segment, after, throughMillis, limit));
    }

    /** Deletes in transactions of {@link Outbox#TRIM_BATCH} events, so writers never wait long for a trim's locks. */
    @Override
    public long trimEvents(int segment, Version through) {
        if (through == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a trim needs a version to trim through");
        }
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "trim events", () -> {
            long trimmed = 0;
            if (e.outbox == null) {
                return trimmed;
            }
            int n;
            do {
                n = e.writes.retrying(segment, "trim events", () -> e.outbox.trimBatch(segment, through));
                trimmed += n;
            } while (n == Outbox.TRIM_BATCH);
            return trimmed;
        });
    }

    @Override
    public long outboxSize(int segment) {
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "outbox size", () -> e.outbox == null ? 0L : e.outbox.size(segment));
    }

    @Override
    public OutboxLoss outboxLoss(int segment) {
        OpenEnvironment e = current;
        e.guard.checkSegment(segment);
        return e.outbox == null ? null : e.outbox.loss(segment);
    }

    @Override
    public Map<Integer, Version> positions(String name) {
        OpenEnvironment e = current;
        return e.guard.gated(DeliveryPositions.DATABASE, "read positions", () -> e.positions.positions(name));
    }

    @Override
    public void savePosition(String name, int segment, Version through) {
        if (through == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a position needs a version");
        }
        OpenEnvironment e = current;
        e.guard.guarded(segment, "save position",
                () -> e.writes.retrying(segment, "save position", () -> e.positions.save(name, segment, through)));
    }

    @Override
    public Map<String, Long> positionNames() {
        OpenEnvironment e = current;
        return e.guard.gated(DeliveryPositions.DATABASE, "position names", e.positions::names);
    }

    @Override
    public void dropPositions(String name) {
        OpenEnvironment e = current;
        e.guard.gated(DeliveryPositions.DATABASE, "drop positions",
                () -> e.writes.retrying(-1, "drop positions", () -> e.positions.drop(name)));
    }

    // ---- secondary indexes ----

    /**
     * Read by every write from the next one on; a write under way keeps what it read. Also
     * taken by an environment reopened later. Touches no JE handle, so it works while the
     * environment is being reopened, and does nothing on a closed store (an indexes bundle
     * that lets go of its entries after the store closed need not fail).
     */
    @Override
    public void useIndexEntries(IndexEntries entries) {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            indexEntries = entries;
            current.useIndexEntries(entries);
        }
        LOG.info("storage store {}: {}", settings.dir(), entries == null
                ? "no index entries in use; while indexes are defined, writes keep their changes for a catch-up"
                : "writes keep secondary index entries with " + entries);
    }

    /** Commits with an fsync whatever the store's durability; under the lifecycle lock, as {@link #keepOutbox}. */
    @Override
    public void noteIndexesDefined(boolean defined) {
        synchronized (lifecycle) {
            if (closed) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "the store " + settings.dir() + " is closed");
            }
            if (current.indexesDefined() == defined) {
                return;
            }
            current.noteIndexesDefined(defined);
        }
        LOG.info("storage store {}: secondary indexes noted as {}", settings.dir(), defined ? "defined" : "not defined");
    }

    /**
     * Returns 0 at once while no IndexEntries is in use. A key whose entries cannot be had stays
     * kept and is not counted, so 0 may also mean that none of the first {@code limit} keys could
     * be caught up now.
     */
    @Override
    public int catchUpIndexes(int segment, int limit) {
        checkLimit("catch-up", limit);
        IndexEntries entries = indexEntries;
        OpenEnvironment e = current;
        if (entries == null || limit == 0) {
            e.guard.checkSegment(segment);
            return 0;
        }
        return e.guard.guarded(segment, "index catch-up", () -> e.catchUp.run(segment, limit, entries));
    }

    @Override
    public long unindexedChanges() {
        OpenEnvironment e = current;
        return e.guard.gated("unindexed changes", "count", e.unindexed::total);
    }

    /**
     * {@code limit} counts live records (at least 1): tombstones are passed over. A key kept as
     * an unindexed change is left to its catch-up (which puts all its entries, these included).
     */
    @Override
    public ReindexStep reindex(int segment, byte[] startAfter, int limit, IndexEntries entries) {
        if (limit < 1) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "reindex limit must be positive: " + limit);
        }
        if (entries == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "reindex needs the IndexEntries to put");
        }
        byte[] after = startAfter == null || startAfter.length == 0 ? null : startAfter;
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "reindex", () -> e.reindex.run(segment, after, limit, entries));
    }

    /** {@code from} null: from the first entry; {@code to} null: to the last. */
    @Override
    public List<IndexHit> indexEntries(int segment, byte[] from, byte[] to, int limit) {
        checkLimit("index entries", limit);
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "index entries", () -> e.index.entries(segment, from, to, limit));
    }

    /** Deletes in transactions of {@link SecondaryIndex#DROP_BATCH} entries; an empty prefix drops every entry of the segment. */
    @Override
    public int dropIndexEntries(int segment, byte[] prefix, int limit) {
        checkLimit("drop index entries", limit);
        if (prefix == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "dropping index entries needs a prefix (empty: all of the segment's)");
        }
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "drop index entries", () -> {
            int dropped = 0;
            int n;
            do {
                int max = Math.min(limit - dropped, SecondaryIndex.DROP_BATCH);
                n = max == 0 ? 0 : e.writes.retrying(segment, "drop index entries", () -> e.index.dropBatch(segment, prefix, max));
                dropped += n;
            } while (n == SecondaryIndex.DROP_BATCH);
            return dropped;
        });
    }

    @Override
    public long indexEntryCount(int segment, int indexId) {
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "index entry count", () -> e.index.counts.count(segment, indexId));
    }

    private static void checkLimit(String op, int limit) {
        if (limit < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, op + " limit must not be negative: " + limit);
        }
    }

    @Override
    public boolean purge(int segment, Record record) {
        checkKey(record.key());
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "purge", () -> counts.countedWrite(segment,
                () -> e.writes.retrying(segment, "purge", () -> e.writes.purgeOnce(segment, record))));
    }

    @Override
    public long count(int segment) {
        OpenEnvironment e = current;
        return e.guard.guarded(segment, "count", () -> counts.count(segment, e.je.segments[segment]));
    }

    @Override
    public long changeCount(int segment) {
        current.guard.checkSegment(segment);
        return counts.changeCount(segment);
    }

    @Override
    public int segmentCount() {
        return settings.segments();
    }

    /** The hinted-handoff store kept in the current environment. */
    JeHintStore hints() {
        return current.hints;
    }

    // ---- facts for status ----

    StorageSettings settings() {
        return settings;
    }

    /** The group commit of deferred commits (its counters), or null where there is none (no_sync). */
    GroupCommit groupCommit() {
        return current.deferredCommits.groupCommit();
    }

    boolean isClosed() {
        return closed;
    }

    /** Records in all segments (tombstones included); counts segments not yet counted. */
    long totalRecords() {
        long sum = 0;
        for (int i = 0; i < settings.segments(); i++) {
            sum += count(i);
        }
        return sum;
    }

    /** Events in the outboxes of all segments (0 when the outbox is off). */
    long totalOutboxEvents() {
        Outbox outbox = current.outbox;
        return outbox == null ? 0 : outbox.totalSize();
    }

    /** Events the outboxes dropped because they were full, since the store was created (0 when the outbox is off). */
    long totalOutboxDropped() {
        Outbox outbox = current.outbox;
        return outbox == null ? 0 : outbox.totalDropped();
    }

    /** Entries of the expiry indexes of all segments. */
    long totalExpiryIndexEntries() {
        OpenEnvironment e = current;
        return e.guard.gated("expiry index", "size", e.expiry::totalSize);
    }

    /** Entries of the secondary indexes of all segments. */
    long totalIndexEntries() {
        OpenEnvironment e = current;
        return e.guard.gated("secondary index", "size", e.index.counts::total);
    }

    /** Index entries that could not be had (the IndexEntries threw) since the environment opened. */
    long indexEntryFailures() {
        return current.extraction.failures();
    }

    /** JE's cheap statistics (no tree walk). */
    EnvironmentStats environmentStats() {
        OpenEnvironment e = current;
        return e.guard.gated("environment", "stats", () -> e.environment().getStats(new StatsConfig().setFast(true)));
    }

    /** The record cache's counters, or null when it is off. */
    RecordCache.Stats recordCacheStats() {
        RecordCache cache = current.recordCache;
        return cache == null ? null : cache.stats();
    }

    /** The record cache's warm-up, or null when the cache or the warm-up is off. */
    RecordCacheWarmup warmup() {
        return current.warmup;
    }

    /** A parameter of the open JE environment, as JE took it. */
    String jeParameter(String name) {
        OpenEnvironment e = current;
        return e.guard.gated("environment", "stats", () -> e.environment().getConfig().getConfigParam(name));
    }

    /** Bytes of JE cache the environment may use. */
    long cacheSizeBytes() {
        OpenEnvironment e = current;
        return e.guard.gated("environment", "stats", () -> e.environment().getConfig().getCacheSize());
    }

    DiskReserve diskReserve() {
        return diskReserve;
    }

    EnvironmentReopener reopener() {
        return reopener;
    }

    /** The JE environment requests use now (tests fail it the way a failed log write does). */
    Environment environment() {
        return current.environment();
    }

    // ---- disk reserve and reopening ----

    /** Whether JE accepts writes again, after measuring free disk space anew; see {@link DiskReserve}. */
    private boolean jeAcceptsWrites() {
        if (reopener.reopening()) {
            return false; // no environment to ask (and the check is no refused request); asked again later
        }
        OpenEnvironment e = current;
        return e.guard.gated("environment", "disk check", () -> DiskReserve.jeAcceptsWrites(e.environment()));
    }

    /**
     * Replaces the failed environment by a new opening; false if the store is closed. Requests
     * meanwhile find the failed one closed and get UNAVAILABLE.
     *
     * @throws IllegalStateException if the new environment cannot be opened (tried again later)
     */
    private boolean reopenEnvironment(Environment failed) {
        synchronized (lifecycle) {
            if (closed) {
                return false;
            }
            OpenEnvironment old = current;
            if (old.environment() != failed) {
                return true; // replaced already
            }
            old.close(failures::reopening);
            OpenEnvironment next = OpenEnvironment.open(settings, counts, failures, bursts, indexEntries);
            counts.reopened(); // no operation runs: the old environment is closed, the new one not yet current
            current = next;
            return true;
        }
    }

    // ---- lifecycle ----

    /**
     * Closes every database and the environment; waits for operations in flight and for a reopen
     * under way. Idempotent.
     */
    @Override
    public synchronized void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        upkeep.shutdown(); // drops the checks and attempts still scheduled; one running ends first
        try {
            if (!upkeep.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("storage store {}: its upkeep thread did not stop within 60 s", settings.dir());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lifecycle) {
            current.close(() -> new EarthwoException(ErrorCode.UNAVAILABLE, "storage is closed (" + settings.dir() + ")"));
        }
        LOG.info("storage closed store {}", settings.dir());
    }

    private static void checkKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "key must not be empty");
        }
    }
}

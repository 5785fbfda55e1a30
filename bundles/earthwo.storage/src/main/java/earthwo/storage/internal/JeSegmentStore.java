package earthwo.storage.internal;

import com.sleepycat.je.Database;
import com.sleepycat.je.EnvironmentStats;
import com.sleepycat.je.StatsConfig;
import com.sleepycat.je.TransactionConfig;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.storage.CommitBursts;
import earthwo.api.storage.SegmentStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The {@link SegmentStore} on BDB JE: one transactional environment in the store directory, one
 * JE database per segment and a metadata database ({@link JeHandles}). Owns every JE handle it
 * opens; {@link #close()} releases all of them (and JE's threads and directory lock), waiting for
 * operations in flight. After close every operation fails with {@link ErrorCode#UNAVAILABLE}.
 *
 * <p>This class checks each request and runs it through the {@link JeOperationGuard} (open
 * store, typed errors); the work is done by {@link SegmentReads}, {@link SegmentWrites} (inside
 * {@link SegmentCounts#countedWrite}), {@link DeferredCommits} (group commit, commit bursts) and
 * the {@link JeHintStore}. The record cache in front of JE and its warm-up are set up here.
 */
final class JeSegmentStore implements SegmentStore, CommitBursts, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JeSegmentStore.class);

    private final StorageSettings settings;
    private final JeHandles je;
    private final Database[] segments;
    private final JeOperationGuard guard;
    private final SegmentCounts counts;
    private final SegmentReads reads;
    private final SegmentWrites writes;
    private final DeferredCommits deferredCommits;
    private final JeHintStore hints;
    /** Records of recent reads and writes in front of JE; null when configured off. */
    private final RecordCache recordCache;
    /** Loads the record cache after the store opens; null when the cache or the warm-up is off. */
    private final RecordCacheWarmup warmup;

    private JeSegmentStore(StorageSettings settings, JeHandles je) {
        this.settings = settings;
        this.je = je;
        this.segments = je.segments;
        this.recordCache = newRecordCache(settings, je);
        this.guard = new JeOperationGuard(settings.dir(), segments.length);
        this.counts = new SegmentCounts(segments.length);
        this.reads = new SegmentReads(segments, recordCache);
        this.writes = new SegmentWrites(settings.dir(), je.env, segments, recordCache, counts);
        this.hints = new JeHintStore(guard, segments.length, je.hints);
        this.warmup = recordCache != null && settings.recordCacheWarmup()
                ? new RecordCacheWarmup(settings.dir().toString(), recordCache, segments.length,
                        new JeWarmupLoader(guard, segments, recordCache))
                : null;
        this.deferredCommits = new DeferredCommits(settings, je.env, guard);
    }

    /**
     * Opens (creating if needed) the store described by {@code settings}.
     *
     * @throws IllegalStateException if the directory cannot be used or the store was created
     *         with another segment count
     */
    static JeSegmentStore open(StorageSettings settings) {
        JeHandles je = JeHandles.open(settings);
        try {
            JeSegmentStore store = new JeSegmentStore(settings, je);
            if (store.warmup != null) {
                store.warmup.start();
            }
            return store;
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

    // ---- SegmentStore ----

    @Override
    public Optional<Record> read(int segment, byte[] key) {
        checkKey(key);
        return guard.guarded(segment, "read", () -> reads.read(segment, key));
    }

    @Override
    public ApplyResult apply(int segment, Record record) {
        return applyWith(segment, record, null);
    }

    @Override
    public ApplyResult applyDeferred(int segment, Record record) {
        return applyWith(segment, record, deferredCommits.transactionConfig());
    }

    /** Applies committing with the store's durability ({@code txnConfig} null) or {@code txnConfig}'s. */
    private ApplyResult applyWith(int segment, Record record, TransactionConfig txnConfig) {
        checkKey(record.key());
        byte[] encoded = RecordCodec.encode(record);
        return guard.guarded(segment, "apply", () -> counts.countedWrite(segment,
                () -> writes.retrying(segment, "apply", () -> writes.applyOnce(segment, record, encoded, txnConfig))));
    }

    @Override
    public CompletionStage<Void> durable() {
        return deferredCommits.durable();
    }

    @Override
    public boolean begin() {
        return deferredCommits.beginBurst();
    }

    @Override
    public void end() {
        deferredCommits.endBurst();
    }

    @Override
    public List<Record> scan(int segment, byte[] prefix, byte[] startAfter, int limit) {
        if (limit < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "scan limit must not be negative: " + limit);
        }
        byte[] pre = prefix == null ? new byte[0] : prefix;
        return guard.guarded(segment, "scan", () -> reads.scan(segment, pre, startAfter, limit));
    }

    @Override
    public boolean purge(int segment, Record record) {
        checkKey(record.key());
        return guard.guarded(segment, "purge", () -> counts.countedWrite(segment,
                () -> writes.retrying(segment, "purge", () -> writes.purgeOnce(segment, record))));
    }

    @Override
    public long count(int segment) {
        return guard.guarded(segment, "count", () -> counts.count(segment, segments[segment]));
    }

    @Override
    public long changeCount(int segment) {
        guard.checkSegment(segment);
        return counts.changeCount(segment);
    }

    @Override
    public int segmentCount() {
        return segments.length;
    }

    /** The hinted-handoff store kept in this environment. */
    JeHintStore hints() {
        return hints;
    }

    // ---- facts for status ----

    StorageSettings settings() {
        return settings;
    }

    /** The group commit of deferred commits (its counters), or null where there is none (no_sync). */
    GroupCommit groupCommit() {
        return deferredCommits.groupCommit();
    }

    boolean isClosed() {
        return guard.isClosed();
    }

    /** Records in all segments (tombstones included); counts segments not yet counted. */
    long totalRecords() {
        long sum = 0;
        for (int i = 0; i < segments.length; i++) {
            sum += count(i);
        }
        return sum;
    }

    /** JE's cheap statistics (no tree walk). */
    EnvironmentStats environmentStats() {
        return guard.guarded(0, "stats", () -> je.env.getStats(new StatsConfig().setFast(true)));
    }

    /** The record cache's counters, or null when it is off. */
    RecordCache.Stats recordCacheStats() {
        return recordCache == null ? null : recordCache.stats();
    }

    /** The record cache's warm-up, or null when the cache or the warm-up is off. */
    RecordCacheWarmup warmup() {
        return warmup;
    }

    /** A parameter of the open JE environment, as JE took it. */
    String jeParameter(String name) {
        return guard.guarded(0, "stats", () -> je.env.getConfig().getConfigParam(name));
    }

    /** Bytes of JE cache the environment may use. */
    long cacheSizeBytes() {
        return guard.guarded(0, "stats", () -> je.env.getConfig().getCacheSize());
    }

    // ---- lifecycle ----

    /** Closes every database and the environment; waits for operations in flight. Idempotent. */
    @Override
    public synchronized void close() {
        if (warmup != null) {
            warmup.stop(); // before the guard: its steps are operations too
        }
        if (!guard.close()) {
            return;
        }
        deferredCommits.close(); // writes for the deferred commits still waiting
        je.close(settings.dir());
        LOG.info("storage closed store {}", settings.dir());
    }

    private static void checkKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "key must not be empty");
        }
    }
}

package earthwo.storage.internal;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;
import com.sleepycat.je.EnvironmentStats;
import com.sleepycat.je.LockConflictException;
import com.sleepycat.je.Get;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationResult;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.ReadOptions;
import com.sleepycat.je.StatsConfig;
import com.sleepycat.je.Transaction;
import com.sleepycat.je.TransactionConfig;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.storage.CommitBursts;
import earthwo.api.storage.SegmentStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The {@link SegmentStore} on BDB JE: one transactional environment in the store directory, one
 * JE database per segment ({@code seg-0000} …) and a metadata database. Owns every JE handle it
 * opens; {@link #close()} releases all of them (and JE's threads and directory lock), waiting for
 * operations in flight. After close every operation fails with {@link ErrorCode#UNAVAILABLE}.
 */
final class JeSegmentStore implements SegmentStore, CommitBursts, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JeSegmentStore.class);

    /** Attempts of a write that keeps meeting lock conflicts before it fails with BUSY. */
    private static final int MAX_ATTEMPTS = 5;
    /** Reads of one record by the warm-up before it gives up caching it (each dropped because a write raced it). */
    private static final int WARM_FILL_ATTEMPTS = 3;

    /** Commits of {@link #applyDeferred}: left in JE's log buffer for {@link #groupCommit} to write. */
    private static final TransactionConfig DEFERRED = new TransactionConfig();
    private static final ReadOptions RMW = new ReadOptions().setLockMode(LockMode.RMW);

    static {
        DEFERRED.setDurability(Durability.COMMIT_NO_SYNC);
    }

    private final StorageSettings settings;
    private final Environment env;
    private final Database[] segments;
    /** The hinted-handoff database ({@value JeHintStore#DATABASE}) and its store. */
    private final Database hintsDb;
    private final JeHintStore hints;
    /** Writes deferred commits in groups; null where commits are not written anyway (no_sync). */
    private final GroupCommit groupCommit;
    /** Record count per segment; -1 until first counted, then kept up to date by writes. */
    private final AtomicLongArray counts;
    /** Per segment, changes made since this store was opened ({@link #changeCount}). */
    private final AtomicLongArray changes;
    /**
     * Per segment, while its count is unknown: writes that may change the count hold the read
     * lock from commit to adjustment, the first count holds the write lock while it walks the
     * segment, so a write is either in that walk or adjusts the stored count, never both or neither.
     */
    private final ReadWriteLock[] countGates;
    /** Operations pass it; close shuts it and waits for them. */
    private final OperationGate gate = new OperationGate();
    /** Records of recent reads and writes in front of JE; null when configured off. */
    private final RecordCache recordCache;
    /** Loads the record cache after the store opens; null when the cache or the warm-up is off. */
    private final RecordCacheWarmup warmup;

    private JeSegmentStore(StorageSettings settings, Environment env, Database[] segments, Database hintsDb) {
        this.settings = settings;
        this.recordCache = settings.recordCacheBytes() > 0 ? new RecordCache(settings.recordCacheBytes(), segments.length) : null;
        if (recordCache != null) {
            for (int i = 0; i < segments.length; i++) {
                if (isEmpty(segments[i])) {
                    recordCache.markComplete(i);
                }
            }
        }
        this.env = env;
        this.segments = segments;
        this.hintsDb = hintsDb;
        this.counts = new AtomicLongArray(segments.length);
        this.changes = new AtomicLongArray(segments.length);
        this.countGates = new ReadWriteLock[segments.length];
        for (int i = 0; i < segments.length; i++) {
            counts.set(i, -1);
            countGates[i] = new ReentrantReadWriteLock();
        }
        this.hints = new JeHintStore(this, hintsDb);
        this.warmup = recordCache != null && settings.recordCacheWarmup()
                ? new RecordCacheWarmup(settings.dir().toString(), recordCache, segments.length, this::warm)
                : null;
        this.groupCommit = switch (settings.durability()) {
            case NO_SYNC -> null;
            case SYNC -> new GroupCommit(settings.dir().toString(), () -> env.flushLog(true));
            // A write(2) of the log buffer costs less than waking a thread: bursts write it themselves.
            case WRITE_NO_SYNC -> new GroupCommit(settings.dir().toString(), () -> env.flushLog(false),
                    () -> gated("log", "write", () -> {
                        env.flushLog(false);
                        return null;
                    }));
        };
    }

    /**
     * Opens (creating if needed) the store described by {@code settings}.
     *
     * @throws IllegalStateException if the directory cannot be used or the store was created
     *         with another segment count
     */
    static JeSegmentStore open(StorageSettings settings) {
        Path dir = settings.dir();
        long start = System.nanoTime();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create store directory " + dir + ": " + e, e);
        }
        Environment env;
        try {
            env = new Environment(dir.toFile(), environmentConfig(settings));
        } catch (DatabaseException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot open store " + dir + ": " + e.getMessage(), e);
        }
        Database[] dbs = new Database[settings.segments()];
        Database meta = null;
        Database hintsDb = null;
        Transaction txn = null;
        try {
            txn = env.beginTransaction(null, null);
            meta = env.openDatabase(txn, StoreMetadata.DATABASE, databaseConfig());
            boolean created = StoreMetadata.initOrCheck(meta, txn, settings.segments(), dir);
            for (int i = 0; i < dbs.length; i++) {
                dbs[i] = env.openDatabase(txn, segmentName(i), segmentConfig(settings));
            }
            hintsDb = env.openDatabase(txn, JeHintStore.DATABASE, databaseConfig());
            txn.commit();
            txn = null;
            meta.close();
            meta = null;
            LOG.info("storage {} store: {} ({} ms)", created ? "created" : "opened", settings,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            JeSegmentStore store = new JeSegmentStore(settings, env, dbs, hintsDb);
            if (store.warmup != null) {
                store.warmup.start();
            }
            return store;
        } catch (RuntimeException e) {
            closeQuietly(dir, "metadata", meta == null ? null : meta::close);
            if (txn != null) {
                closeQuietly(dir, "open transaction", txn::abort);
            }
            for (Database db : dbs) {
                closeQuietly(dir, "segment database", db == null ? null : db::close);
            }
            closeQuietly(dir, "hints database", hintsDb == null ? null : hintsDb::close);
            closeQuietly(dir, "environment", env::close);
            if (e instanceof IllegalStateException) {
                throw e;
            }
            throw new IllegalStateException("cannot open store " + dir + ": " + e.getMessage(), e);
        }
    }

    static String segmentName(int segment) {
        return String.format("seg-%04d", segment);
    }

    private static EnvironmentConfig environmentConfig(StorageSettings s) {
        EnvironmentConfig c = new EnvironmentConfig();
        c.setAllowCreate(true);
        c.setTransactional(true);
        c.setDurability(s.durability().je());
        c.setLockTimeout(s.lockTimeoutMs(), TimeUnit.MILLISECONDS);
        if (s.cacheBytes() > 0) {
            c.setCacheSize(s.cacheBytes());
        } else {
            c.setCachePercent(s.cachePercent());
        }
        String interval = s.flushIntervalMs() + " ms";
        // Background fsync of commits made without one (write_no_sync, no_sync) ...
        c.setConfigParam(EnvironmentConfig.LOG_FLUSH_SYNC_INTERVAL, interval);
        // ... and background write to the OS of commits still in JE's buffer (no_sync).
        c.setConfigParam(EnvironmentConfig.LOG_FLUSH_NO_SYNC_INTERVAL, interval);
        // Fewer checkpoints and less cleaning per write; see StorageSettings for the price.
        c.setConfigParam(EnvironmentConfig.CHECKPOINTER_BYTES_INTERVAL, String.valueOf(s.checkpointBytes()));
        c.setConfigParam(EnvironmentConfig.CLEANER_MIN_UTILIZATION, String.valueOf(s.cleanerMinUtilization()));
        return c;
    }

    /**
     * A segment database. With the record cache on, JE drops a record from its own cache after
     * each operation (its B-tree nodes stay): reads and writers find records in the record cache
     * ({@link #lockAndRead}), and a million records no longer fill the heap's old generation
     * twice. Measured in BENCHMARKS.md, session 7.
     */
    private static DatabaseConfig segmentConfig(StorageSettings settings) {
        DatabaseConfig c = databaseConfig();
        if (settings.recordCacheBytes() > 0) {
            c.setCacheMode(com.sleepycat.je.CacheMode.EVICT_LN);
        }
        return c;
    }

    private static DatabaseConfig databaseConfig() {
        DatabaseConfig c = new DatabaseConfig();
        c.setAllowCreate(true);
        c.setTransactional(true);
        c.setKeyPrefixing(true);
        return c;
    }

    // ---- SegmentStore ----

    @Override
    public Optional<Record> read(int segment, byte[] key) {
        checkKey(key);
        return guarded(segment, "read", () -> {
            if (recordCache == null) {
                return decoded(key, readJe(segment, key));
            }
            byte[] cached = recordCache.get(segment, key);
            if (cached != null) {
                return decoded(key, cached == RecordCache.ABSENT ? null : cached);
            }
            long ticket = recordCache.ticket(segment, key);
            byte[] data = readJe(segment, key);
            recordCache.fill(segment, key, data, ticket);
            return decoded(key, data);
        });
    }

    private static boolean isEmpty(Database db) {
        try (Cursor cursor = db.openCursor(null, CursorConfig.READ_COMMITTED)) {
            return cursor.getFirst(new DatabaseEntry(), new DatabaseEntry(), null) != OperationStatus.SUCCESS;
        }
    }

    /** The JE data stored for the key, or null. */
    private byte[] readJe(int segment, byte[] key) {
        DatabaseEntry data = new DatabaseEntry();
        OperationStatus st = segments[segment].get(null, new DatabaseEntry(key), data, LockMode.READ_COMMITTED);
        return st == OperationStatus.SUCCESS ? bytes(data) : null;
    }

    private static Optional<Record> decoded(byte[] key, byte[] data) {
        return data == null ? Optional.empty() : Optional.of(RecordCodec.decode(key.clone(), data));
    }

    @Override
    public ApplyResult apply(int segment, Record record) {
        return applyWith(segment, record, null);
    }

    @Override
    public ApplyResult applyDeferred(int segment, Record record) {
        // Without group commit (no_sync) a commit writes nothing anyway: the store's own durability.
        return applyWith(segment, record, groupCommit == null ? null : DEFERRED);
    }

    @Override
    public CompletionStage<Void> durable() {
        return groupCommit == null ? CompletableFuture.completedFuture(null) : groupCommit.next();
    }

    @Override
    public boolean begin() {
        return groupCommit != null && groupCommit.beginBurst();
    }

    @Override
    public void end() {
        if (groupCommit != null) {
            groupCommit.endBurst();
        }
    }

    /** Applies committing with the store's durability ({@code txnConfig} null) or {@code txnConfig}'s. */
    private ApplyResult applyWith(int segment, Record record, TransactionConfig txnConfig) {
        checkKey(record.key());
        byte[] encoded = RecordCodec.encode(record);
        return guarded(segment, "apply", () -> countedWrite(segment,
                () -> retrying(segment, "apply", () -> applyOnce(segment, record, encoded, txnConfig))));
    }

    /**
     * One attempt of apply; null when a concurrent insert of the same key won the race (retry).
     * One cursor both finds the stored record (write-locked) and replaces it in place, so an
     * update searches the B-tree once.
     *
     * <p>The record cache is told before the commit, while the record lock is held: so the cache
     * learns the writes of a key in the order JE applies them, and the next writer, once it holds
     * the lock, finds the current record there without reading it from JE's log. A reader may
     * see the write before the commit; if the commit fails the key is forgotten again.
     */
    private ApplyResult applyOnce(int segment, Record record, byte[] encoded, TransactionConfig txnConfig) {
        DatabaseEntry key = new DatabaseEntry(record.key());
        Transaction txn = env.beginTransaction(null, txnConfig);
        boolean cacheTold = false;
        try {
            Record previous = null;
            boolean applied;
            try (Cursor cursor = segments[segment].openCursor(txn, null)) {
                byte[] stored = lockAndRead(cursor, segment, key);
                if (stored != null) {
                    previous = RecordCodec.decode(record.key(), stored);
                }
                applied = previous == null || record.version().isNewerThan(previous.version());
                if (applied && previous != null) {
                    cursor.putCurrent(new DatabaseEntry(encoded));
                } else if (applied && cursor.putNoOverwrite(key, new DatabaseEntry(encoded)) == OperationStatus.KEYEXIST) {
                    // Nothing was there to lock: a concurrent writer inserted the same key first.
                    return null;
                }
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
                changed(segment, previous == null ? 1 : 0);
            }
            return new ApplyResult(applied, previous);
        } finally {
            abortHoldingLock(txn, cacheTold, segment, record.key());
        }
    }

    /**
     * Aborts a write transaction that did not commit ({@code txn} not null). If the record cache
     * was told of its change ({@code cacheTold}: the commit failed), it forgets the key first,
     * while the record lock is still held, so no other writer can take the aborted change for
     * the stored record.
     */
    private void abortHoldingLock(Transaction txn, boolean cacheTold, int segment, byte[] key) {
        if (txn == null) {
            return;
        }
        if (cacheTold) {
            recordCache.invalidate(segment, key);
        }
        txn.abort();
    }

    /**
     * Moves the cursor to the key, write-locking it, and returns its stored data (null if none).
     * With the record cache, the search is key-only and the data comes from the cache when it
     * has the key: under the lock it is current (see {@link #applyOnce}), and JE, which does not
     * keep records in its own cache then, need not read the record from its log.
     */
    private byte[] lockAndRead(Cursor cursor, int segment, DatabaseEntry key) {
        if (recordCache == null) {
            DatabaseEntry data = new DatabaseEntry();
            return cursor.getSearchKey(key, data, LockMode.RMW) == OperationStatus.SUCCESS ? bytes(data) : null;
        }
        boolean exists = cursor.get(key, null, Get.SEARCH, RMW) != null;
        byte[] cached = recordCache.peek(segment, key.getData());
        if (cached != null && (cached != RecordCache.ABSENT) == exists) {
            return exists ? cached : null;
        }
        if (!exists) {
            return null;
        }
        DatabaseEntry data = new DatabaseEntry();
        cursor.getCurrent(key, data, LockMode.RMW);
        return bytes(data);
    }

    @Override
    public List<Record> scan(int segment, byte[] prefix, byte[] startAfter, int limit) {
        if (limit < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "scan limit must not be negative: " + limit);
        }
        byte[] pre = prefix == null ? new byte[0] : prefix;
        return guarded(segment, "scan", () -> {
            List<Record> out = new ArrayList<>(Math.min(limit, 1024));
            if (limit == 0) {
                return out;
            }
            byte[] start = pre;
            boolean skipStart = false;
            if (startAfter != null && Keys.compare(startAfter, pre) >= 0) {
                start = startAfter;
                skipStart = true;
            }
            DatabaseEntry key = new DatabaseEntry();
            // With the record cache the cursor moves key-only and the records come from the cache.
            DatabaseEntry data = recordCache == null ? new DatabaseEntry() : null;
            try (Cursor cursor = segments[segment].openCursor(null, CursorConfig.READ_COMMITTED)) {
                OperationResult at = seek(cursor, key, data, start);
                while (at != null && out.size() < limit) {
                    byte[] k = bytes(key);
                    if (!Keys.hasPrefix(k, pre)) {
                        break;
                    }
                    if (!(skipStart && Arrays.equals(k, startAfter))) {
                        byte[] stored = data != null ? bytes(data) : cachedOrCurrent(cursor, segment, k);
                        if (stored != null) {
                            out.add(RecordCodec.decode(k, stored));
                        }
                    }
                    at = cursor.get(key, data, Get.NEXT, null);
                }
            }
            return out;
        });
    }

    /**
     * Moves the cursor to the first key at or after {@code from} (the segment's first key when
     * {@code from} is empty), reading its data into {@code data} (null: key only).
     */
    private static OperationResult seek(Cursor cursor, DatabaseEntry key, DatabaseEntry data, byte[] from) {
        if (from.length == 0) {
            return cursor.get(key, data, Get.FIRST, null);
        }
        key.setData(from);
        return cursor.get(key, data, Get.SEARCH_GTE, null);
    }

    /** One step of the record cache's warm-up: the last key walked (null at the segment's end) and what was cached. */
    record WarmStep(byte[] lastKey, int cached, boolean everyRecordCached) {
    }

    /**
     * A step of the record cache's warm-up ({@link RecordCacheWarmup}): caches up to {@code max}
     * records of the segment that follow key {@code after} (null: from its first key). The cursor
     * moves key-only; each record is then read with a ticket taken first, exactly as a read that
     * missed, so a fill that may have raced a write is dropped (and tried again).
     */
    WarmStep warm(int segment, byte[] after, int max) {
        return guarded(segment, "warm-up", () -> {
            DatabaseEntry key = new DatabaseEntry();
            DatabaseEntry data = new DatabaseEntry();
            int cached = 0;
            boolean everyRecordCached = true;
            byte[] last = null;
            try (Cursor cursor = segments[segment].openCursor(null, CursorConfig.READ_COMMITTED)) {
                OperationResult at = seek(cursor, key, null, after == null ? new byte[0] : after);
                if (at != null && after != null && Arrays.equals(bytes(key), after)) {
                    at = cursor.get(key, null, Get.NEXT, null);
                }
                for (int walked = 0; at != null && walked < max; walked++) {
                    last = bytes(key);
                    if (fillFromCursor(cursor, segment, last, data)) {
                        cached++;
                    } else {
                        everyRecordCached = false;
                    }
                    at = cursor.get(key, null, Get.NEXT, null);
                }
                return new WarmStep(at == null ? null : last, cached, everyRecordCached);
            }
        });
    }

    /** Caches the record under the cursor; false if it could not (too large, or writes kept racing the read). */
    private boolean fillFromCursor(Cursor cursor, int segment, byte[] key, DatabaseEntry data) {
        for (int attempt = 0; attempt < WARM_FILL_ATTEMPTS; attempt++) {
            long ticket = recordCache.ticket(segment, key);
            try {
                if (cursor.get(null, data, Get.CURRENT, null) == null) {
                    return true; // purged since the cursor's step; the purge told the cache
                }
            } catch (LockConflictException e) {
                continue; // a writer held the record too long; its commit told the cache
            }
            if (recordCache.fill(segment, key, bytes(data), ticket)) {
                return true;
            }
        }
        return false;
    }

    /**
     * With the record cache: the data of the record under a scan's cursor (moved there
     * key-only), or null if it was deleted meanwhile. From the cache when it holds the key: JE
     * keeps no records in its cache then, and reading each from JE's log made a scan of a busy
     * segment so slow that anti-entropy passes kept meeting the writes made during them.
     */
    private byte[] cachedOrCurrent(Cursor cursor, int segment, byte[] key) {
        byte[] cached = recordCache.peek(segment, key);
        if (cached != null && cached != RecordCache.ABSENT) {
            return cached;
        }
        DatabaseEntry data = new DatabaseEntry();
        return cursor.get(null, data, Get.CURRENT, null) == null ? null : bytes(data);
    }

    @Override
    public boolean purge(int segment, Record record) {
        checkKey(record.key());
        return guarded(segment, "purge", () -> countedWrite(segment, () -> retrying(segment, "purge", () -> {
            Database db = segments[segment];
            DatabaseEntry key = new DatabaseEntry(record.key());
            DatabaseEntry data = new DatabaseEntry();
            Transaction txn = env.beginTransaction(null, null);
            boolean cacheTold = false;
            try {
                byte[] storedData = null;
                if (db.get(txn, key, data, LockMode.RMW) == OperationStatus.SUCCESS) {
                    byte[] found = bytes(data);
                    if (RecordCodec.decodeVersion(record.key(), found).equals(record.version())
                            && db.delete(txn, key) == OperationStatus.SUCCESS) {
                        storedData = found;
                    }
                }
                if (storedData != null && recordCache != null) {
                    cacheTold = true; // first, as in applyOnce
                    recordCache.purged(segment, record.key(), storedData); // under the lock, as applyOnce
                }
                txn.commit();
                txn = null;
                if (storedData != null) {
                    changed(segment, -1);
                }
                return storedData != null;
            } finally {
                abortHoldingLock(txn, cacheTold, segment, record.key());
            }
        })));
    }

    @Override
    public long count(int segment) {
        return guarded(segment, "count", () -> {
            long n = counts.get(segment);
            if (n >= 0) {
                return n;
            }
            Lock counting = countGates[segment].writeLock();
            counting.lock();
            try {
                n = counts.get(segment);
                if (n < 0) {
                    n = segments[segment].count();
                    counts.set(segment, n);
                }
                return n;
            } finally {
                counting.unlock();
            }
        });
    }

    @Override
    public long changeCount(int segment) {
        checkSegment(segment);
        return changes.get(segment);
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
        return groupCommit;
    }

    boolean isClosed() {
        return gate.isClosed();
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
        return guarded(0, "stats", () -> env.getStats(new StatsConfig().setFast(true)));
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
        return guarded(0, "stats", () -> env.getConfig().getConfigParam(name));
    }

    /** Bytes of JE cache the environment may use. */
    long cacheSizeBytes() {
        return guarded(0, "stats", () -> env.getConfig().getCacheSize());
    }

    // ---- lifecycle ----

    /** Closes every database and the environment; waits for operations in flight. Idempotent. */
    @Override
    public synchronized void close() {
        if (warmup != null) {
            warmup.stop(); // before the gate: its steps are operations too
        }
        if (!gate.close()) {
            return;
        }
        Path dir = settings.dir();
        if (groupCommit != null) {
            groupCommit.close(); // writes for the deferred commits still waiting
        }
        for (int i = 0; i < segments.length; i++) {
            Database db = segments[i];
            closeQuietly(dir, segmentName(i), db::close);
        }
        closeQuietly(dir, JeHintStore.DATABASE, hintsDb::close);
        closeQuietly(dir, "environment", env::close);
        LOG.info("storage closed store {}", dir);
    }

    // ---- helpers ----

    private <T> T guarded(int segment, String op, Supplier<T> body) {
        checkSegment(segment);
        return gated("segment " + segment, op, body);
    }

    private void checkSegment(int segment) {
        if (segment < 0 || segment >= segments.length) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST,
                    "segment " + segment + " is out of range 0.." + (segments.length - 1));
        }
    }

    /**
     * Runs one operation on the environment while it is open (close waits for it), translating
     * JE failures into typed errors; {@code what} names the database for messages.
     */
    <T> T gated(String what, String op, Supplier<T> body) {
        if (!gate.enter()) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "storage is closed (" + settings.dir() + ")");
        }
        try {
            return body.get();
        } catch (LockConflictException e) {
            throw new EarthwoException(ErrorCode.BUSY, op + " on " + what + " timed out waiting for a record lock", e);
        } catch (EarthwoException e) {
            throw e;
        } catch (DatabaseException e) {
            LOG.error("storage {} failed on {} of store {}", op, what, settings.dir(), e);
            throw new EarthwoException(ErrorCode.INTERNAL, op + " on " + what + " failed: " + e.getMessage(), e);
        } finally {
            gate.exit();
        }
    }

    /** Runs a write transaction again after lock conflicts (or a lost insert race: null). */
    private <T> T retrying(int segment, String op, Supplier<T> attempt) {
        LockConflictException last = null;
        for (int i = 0; i < MAX_ATTEMPTS; i++) {
            try {
                T result = attempt.get();
                if (result != null) {
                    return result;
                }
            } catch (LockConflictException e) {
                last = e;
                LOG.debug("storage {} on segment {} of store {} met a lock conflict, attempt {}", op, segment, settings.dir(), i + 1);
            }
        }
        if (last != null) {
            throw last;
        }
        throw new EarthwoException(ErrorCode.BUSY, op + " on segment " + segment + " lost " + MAX_ATTEMPTS + " races with concurrent writers");
    }

    /**
     * Runs a write that may change the segment's record count. Once the count is known the write
     * adjusts it itself; before, it must not commit during the first count (see countGates).
     */
    private <T> T countedWrite(int segment, Supplier<T> write) {
        if (counts.get(segment) >= 0) {
            return write.get();
        }
        Lock writing = countGates[segment].readLock();
        writing.lock();
        try {
            return write.get();
        } finally {
            writing.unlock();
        }
    }

    /** After a committed change of the segment: the change count grows, the record count moves by {@code countDelta}. */
    private void changed(int segment, long countDelta) {
        changes.incrementAndGet(segment);
        if (countDelta != 0) {
            adjustCount(segment, countDelta);
        }
    }

    private void adjustCount(int segment, long delta) {
        long n;
        do {
            n = counts.get(segment);
            if (n < 0) {
                return;
            }
        } while (!counts.compareAndSet(segment, n, Math.max(0, n + delta)));
    }

    private static void checkKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "key must not be empty");
        }
    }

    static byte[] bytes(DatabaseEntry e) {
        byte[] d = e.getData();
        if (d == null) {
            return new byte[0];
        }
        return e.getOffset() == 0 && e.getSize() == d.length ? d : Arrays.copyOfRange(d, e.getOffset(), e.getOffset() + e.getSize());
    }

    private static void closeQuietly(Path dir, String what, Runnable close) {
        if (close == null) {
            return;
        }
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warn("storage could not close {} of store {}", what, dir, e);
        }
    }
}

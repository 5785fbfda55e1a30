package earthwo.storage.internal;

import com.sleepycat.je.CacheMode;
import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.DiskLimitException;
import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Transaction;
import com.sleepycat.je.TransactionConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The JE handles of one store: the transactional environment in the store directory, one JE
 * database per segment ({@code seg-0000} …), one expiry index database per segment
 * ({@code exp-0000} …, see {@link ExpiryIndex}), one secondary index database and one of
 * unindexed changes per segment ({@code idx-0000}, {@code idxq-0000} …, see
 * {@link SecondaryIndex}, {@link UnindexedChanges}), the hinted-handoff database, the hooks'
 * delivery positions ({@link DeliveryPositions}) and, with the outbox on, one outbox database
 * per segment ({@code evt-0000} …, see {@link Outbox}) and the outbox losses. Opens them with
 * the store's JE configuration (creating the store, or checking it against its
 * {@link StoreMetadata}; building the expiry index of a store written before there was one,
 * {@link ExpiryBackfill}) and closes them; a failed open leaves nothing open, so the directory's
 * lock is released.
 */
final class JeHandles {

    private static final Logger LOG = LoggerFactory.getLogger(JeHandles.class);

    final Environment env;
    final Database[] segments;
    /** Per segment, its expiry index database ({@link ExpiryIndex#databaseName}). */
    final Database[] expiry;
    /** Per segment, its secondary index database ({@link SecondaryIndex#databaseName}). */
    final Database[] index;
    /** Per segment, its database of unindexed changes ({@link UnindexedChanges#databaseName}). */
    final Database[] unindexed;
    /** Whether secondary indexes were noted as defined ({@link StoreMetadata}) when the store opened. */
    final boolean indexesDefined;
    /** The hinted-handoff database ({@value JeHintStore#DATABASE}). */
    final Database hints;
    /** The hooks' delivery positions ({@value DeliveryPositions#DATABASE}). */
    final Database positions;
    /**
     * Per segment, its outbox database ({@link Outbox#databaseName}); null while the outbox is
     * off (set once by {@link #switchOutboxOn}). Those of a store that had it on stay on disk,
     * unopened and untouched, until it is on again.
     */
    volatile Database[] events;
    /** The outbox losses ({@value OutboxLosses#DATABASE}); null while the outbox is off. */
    volatile Database outboxLosses;

    private JeHandles(Environment env, Database[] segments, Database[] expiry, Database[] index, Database[] unindexed,
            boolean indexesDefined, Database hints, Database positions, Database[] events, Database outboxLosses) {
        this.env = env;
        this.segments = segments;
        this.expiry = expiry;
        this.index = index;
        this.unindexed = unindexed;
        this.indexesDefined = indexesDefined;
        this.hints = hints;
        this.positions = positions;
        this.events = events;
        this.outboxLosses = outboxLosses;
    }

    /**
     * Opens (creating if needed) the store described by {@code settings}.
     *
     * @throws IllegalStateException if the directory cannot be used or the store was created
     *         with another segment count
     */
    static JeHandles open(StorageSettings settings) {
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
        Database[] exps = new Database[settings.segments()];
        Database[] idxs = new Database[settings.segments()];
        Database[] idxqs = new Database[settings.segments()];
        boolean indexesDefined = false;
        Database[] evts = new Database[0];
        boolean outboxOn = settings.outboxEnabled();
        Database meta = null;
        Database hintsDb = null;
        Database positionsDb = null;
        Database lossDb = null;
        Transaction txn = null;
        try {
            Set<String> existing = new HashSet<>(env.getDatabaseNames());
            txn = env.beginTransaction(null, null);
            meta = env.openDatabase(txn, StoreMetadata.DATABASE, databaseConfig());
            boolean created = StoreMetadata.initOrCheck(meta, txn, settings.segments(), dir);
            outboxOn |= StoreMetadata.isOutboxOn(meta, txn);
            indexesDefined = StoreMetadata.areIndexesDefined(meta, txn);
            evts = new Database[outboxOn ? settings.segments() : 0];
            for (int i = 0; i < dbs.length; i++) {
                dbs[i] = env.openDatabase(txn, segmentName(i), segmentConfig(settings));
                // A new segment gets an empty index with it; an old one without an index has it built below.
                if (existing.contains(ExpiryIndex.databaseName(i)) || !existing.contains(segmentName(i))) {
                    exps[i] = env.openDatabase(txn, ExpiryIndex.databaseName(i), databaseConfig());
                }
                // A store written before there were secondary indexes had none defined: empty ones are right.
                idxs[i] = env.openDatabase(txn, SecondaryIndex.databaseName(i), databaseConfig());
                idxqs[i] = env.openDatabase(txn, UnindexedChanges.databaseName(i), databaseConfig());
            }
            for (int i = 0; i < evts.length; i++) {
                evts[i] = env.openDatabase(txn, Outbox.databaseName(i), databaseConfig());
            }
            if (outboxOn) {
                lossDb = env.openDatabase(txn, OutboxLosses.DATABASE, databaseConfig());
            }
            hintsDb = env.openDatabase(txn, JeHintStore.DATABASE, databaseConfig());
            positionsDb = env.openDatabase(txn, DeliveryPositions.DATABASE, databaseConfig());
            txn.commit();
            txn = null;
            meta.close();
            meta = null;
            for (int i = 0; i < exps.length; i++) {
                if (exps[i] == null) {
                    exps[i] = ExpiryBackfill.build(env, dir, i, dbs[i], databaseConfig(), existing);
                }
            }
            LOG.info("storage {} store: {} ({} ms)", created ? "created" : "opened", settings,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            return new JeHandles(env, dbs, exps, idxs, idxqs, indexesDefined, hintsDb, positionsDb, outboxOn ? evts : null,
                    lossDb);
        } catch (DiskLimitException e) {
            // A new store writes while it opens (its metadata), and so does an old one that gets its expiry index.
            throw closeAfterFailedOpen(dir, new IllegalStateException("cannot create store " + dir + ": fewer than "
                    + settings.freeDiskBytes() + " bytes free on its disk, the reserve set by "
                    + StorageSettings.FREE_DISK_BYTES + " (" + e.getMessage() + ")", e), env, meta, txn, dbs, exps,
                    indexDatabases(idxs, idxqs), hintsDb, others(evts, lossDb, positionsDb));
        } catch (RuntimeException e) {
            throw closeAfterFailedOpen(dir, e, env, meta, txn, dbs, exps, indexDatabases(idxs, idxqs), hintsDb,
                    others(evts, lossDb, positionsDb));
        }
    }

    /**
     * Switches the outbox on in the open store: notes it in the store's metadata, so that it
     * stays on when the store opens again, and opens the outbox databases. Does nothing if they
     * are open. Callers hold the store's lock, so it runs once at a time.
     */
    void switchOutboxOn(int segmentCount) {
        if (events != null) {
            return;
        }
        Database[] evts = new Database[segmentCount];
        Database meta = null;
        Database lossDb = null;
        Transaction txn = env.beginTransaction(null, null);
        try {
            meta = env.openDatabase(txn, StoreMetadata.DATABASE, databaseConfig());
            StoreMetadata.setOutboxOn(meta, txn);
            for (int i = 0; i < evts.length; i++) {
                evts[i] = env.openDatabase(txn, Outbox.databaseName(i), databaseConfig());
            }
            lossDb = env.openDatabase(txn, OutboxLosses.DATABASE, databaseConfig());
            txn.commit();
            txn = null;
        } finally {
            if (meta != null) {
                meta.close();
            }
            if (txn != null) {
                for (Database db : evts) {
                    closeQuietly(env.getHome().toPath(), "outbox database", db == null ? null : db::close);
                }
                closeQuietly(env.getHome().toPath(), "outbox losses database", lossDb == null ? null : lossDb::close);
                txn.abort();
            }
        }
        outboxLosses = lossDb;
        events = evts;
    }

    /**
     * Notes durably (an fsync'ed commit, whatever the store's durability) whether secondary
     * indexes are defined, so that a store opened again before the indexes bundle binds keeps
     * every change for it. Callers hold the store's lock.
     */
    void noteIndexesDefined(boolean defined) {
        Database meta = null;
        Transaction txn = env.beginTransaction(null, new TransactionConfig().setDurability(Durability.COMMIT_SYNC));
        try {
            meta = env.openDatabase(txn, StoreMetadata.DATABASE, databaseConfig());
            StoreMetadata.setIndexesDefined(meta, txn, defined);
            txn.commit();
            txn = null;
        } finally {
            if (meta != null) {
                meta.close();
            }
            if (txn != null) {
                txn.abort();
            }
        }
    }

    /**
     * For a store whose opening failed after these handles were open: closes them and returns
     * the exception to throw.
     */
    RuntimeException closeAfterFailedOpen(Path dir, RuntimeException cause) {
        return closeAfterFailedOpen(dir, cause, env, null, null, segments, expiry, indexDatabases(index, unindexed), hints,
                others(events == null ? new Database[0] : events, outboxLosses, positions));
    }

    /** The secondary index databases and those of unindexed changes (null for those not opened), for closing. */
    private static Database[] indexDatabases(Database[] index, Database[] unindexed) {
        Database[] all = Arrays.copyOf(index, index.length + unindexed.length);
        System.arraycopy(unindexed, 0, all, index.length, unindexed.length);
        return all;
    }

    /** The databases of the hooks (null for those not opened), for closing. */
    private static Database[] others(Database[] events, Database losses, Database positions) {
        Database[] all = Arrays.copyOf(events, events.length + 2);
        all[events.length] = losses;
        all[events.length + 1] = positions;
        return all;
    }

    private static RuntimeException closeAfterFailedOpen(Path dir, RuntimeException cause, Environment env,
            Database meta, Transaction txn, Database[] dbs, Database[] exps, Database[] indexes, Database hintsDb,
            Database[] others) {
        if (env.isValid()) { // an invalid environment releases all of them when it closes (see close)
            closeQuietly(dir, "metadata", meta == null ? null : meta::close);
            if (txn != null) {
                closeQuietly(dir, "open transaction", txn::abort);
            }
            for (Database db : dbs) {
                closeQuietly(dir, "segment database", db == null ? null : db::close);
            }
            for (Database db : exps) {
                closeQuietly(dir, "expiry index database", db == null ? null : db::close);
            }
            for (Database db : indexes) {
                closeQuietly(dir, "secondary index database", db == null ? null : db::close);
            }
            closeQuietly(dir, "hints database", hintsDb == null ? null : hintsDb::close);
            for (Database db : others) {
                closeQuietly(dir, "hooks database", db == null ? null : db::close);
            }
        }
        closeQuietly(dir, "environment", env::close);
        if (cause instanceof IllegalStateException) {
            return cause;
        }
        return new IllegalStateException("cannot open store " + dir + ": " + cause.getMessage(), cause);
    }

    /** Whether the segment's database holds no record. */
    boolean isEmpty(int segment) {
        try (Cursor cursor = segments[segment].openCursor(null, CursorConfig.READ_COMMITTED)) {
            return cursor.getFirst(new DatabaseEntry(), new DatabaseEntry(), null) != OperationStatus.SUCCESS;
        }
    }

    static String segmentName(int segment) {
        return String.format("seg-%04d", segment);
    }

    /**
     * Closes every database, then the environment (JE's threads and the directory's lock go with
     * it). An invalid environment refuses to close its databases (it throws, once per database);
     * closing the environment releases them.
     */
    void close(Path dir) {
        if (env.isValid()) {
            for (int i = 0; i < segments.length; i++) {
                Database db = segments[i];
                closeQuietly(dir, segmentName(i), db::close);
                closeQuietly(dir, ExpiryIndex.databaseName(i), expiry[i]::close);
                closeQuietly(dir, SecondaryIndex.databaseName(i), index[i]::close);
                closeQuietly(dir, UnindexedChanges.databaseName(i), unindexed[i]::close);
            }
            closeQuietly(dir, JeHintStore.DATABASE, hints::close);
            closeQuietly(dir, DeliveryPositions.DATABASE, positions::close);
            if (events != null) {
                for (int i = 0; i < events.length; i++) {
                    closeQuietly(dir, Outbox.databaseName(i), events[i]::close);
                }
                closeQuietly(dir, OutboxLosses.DATABASE, outboxLosses::close);
            }
        }
        closeQuietly(dir, "environment", env::close);
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
        // Always explicit: JE's 5 GiB default would apply otherwise (see StorageSettings.FREE_DISK_BYTES).
        c.setConfigParam(EnvironmentConfig.FREE_DISK, String.valueOf(s.freeDiskBytes()));
        return c;
    }

    /**
     * A segment database. With the record cache on, JE drops a record from its own cache after
     * each operation (its B-tree nodes stay): reads and writers find records in the record cache
     * ({@link SegmentWrites#lockAndRead}), and a million records no longer fill the heap's old
     * generation twice.
     */
    private static DatabaseConfig segmentConfig(StorageSettings settings) {
        DatabaseConfig c = databaseConfig();
        if (settings.recordCacheBytes() > 0) {
            c.setCacheMode(CacheMode.EVICT_LN);
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

    private static void closeQuietly(Path dir, String what, Runnable close) {
        if (close == null) {
            return;
        }
        try {
            close.run();
        } catch (DiskLimitException e) {
            // JE closed it all the same; only its last checkpoint did not fit (recovery replays more log).
            LOG.warn("storage closed {} of store {} without a final checkpoint: free disk space is down to the reserve ({})",
                    what, dir, StorageSettings.FREE_DISK_BYTES);
        } catch (RuntimeException e) {
            LOG.warn("storage could not close {} of store {}", what, dir, e);
        }
    }
}

package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Transaction;
import com.sleepycat.je.TransactionConfig;

import earthwo.api.Record;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Builds the expiry index of a segment that has records but no index: a store written by a
 * version without one. Runs while the store opens, before any request.
 *
 * <p>The index is built under a temporary name and renamed to its own only when complete, so a
 * crash half-way leaves no index that looks whole (an index never built again would miss
 * records for ever): the next open drops the leftover and builds it again. The batches commit
 * without fsync; the rename commits with the store's durability, and since JE's log is written
 * in order, a rename that survived a crash implies every batch before it did.
 */
final class ExpiryBackfill {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiryBackfill.class);

    /** Index entries per transaction: bounds the locks one transaction holds. */
    static final int BATCH = 5_000;
    private static final TransactionConfig BATCH_COMMIT = new TransactionConfig().setDurability(Durability.COMMIT_NO_SYNC);
    private static final DatabaseEntry NO_DATA = new DatabaseEntry(new byte[0]);

    private ExpiryBackfill() {
    }

    static String buildingName(int segment) {
        return ExpiryIndex.databaseName(segment) + ".building";
    }

    /**
     * Builds the index of segment {@code segment} from its records in {@code records} and
     * returns it open under its own name. {@code existing} are the environment's database names
     * before this open (a leftover of a crashed build among them is dropped first).
     */
    static Database build(Environment env, Path dir, int segment, Database records, DatabaseConfig config, Set<String> existing) {
        long start = System.nanoTime();
        String building = buildingName(segment);
        if (existing.contains(building)) {
            env.removeDatabase(null, building);
        }
        long entries;
        Database db = env.openDatabase(null, building, config);
        try {
            entries = fill(env, dir, records, db);
        } finally {
            db.close(); // the rename needs it closed; a failed build is dropped at the next open
        }
        env.renameDatabase(null, building, ExpiryIndex.databaseName(segment));
        Database index = env.openDatabase(null, ExpiryIndex.databaseName(segment), config);
        LOG.info("storage store {}: built the expiry index of segment {} from its records: {} entries ({} ms)",
                dir, segment, entries, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return index;
    }

    /** Puts an entry for each record with an expiry, in batches; returns how many. */
    private static long fill(Environment env, Path dir, Database records, Database index) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry header = new DatabaseEntry();
        header.setPartial(0, RecordCodec.HEADER_BYTES, true); // the expiry is in the header: no value is copied
        long entries = 0;
        long corrupt = 0;
        int inBatch = 0;
        Transaction txn = null;
        try (Cursor cursor = records.openCursor(null, CursorConfig.READ_COMMITTED)) {
            while (cursor.getNext(key, header, null) == OperationStatus.SUCCESS) {
                byte[] k = bytes(key);
                long expiresAt;
                try {
                    expiresAt = RecordCodec.decodeExpiresAt(k, bytes(header));
                } catch (CorruptRecordException e) {
                    corrupt++; // reads report it; it must not keep the whole store from opening
                    continue;
                }
                if (expiresAt == Record.NEVER) {
                    continue;
                }
                if (txn == null) {
                    txn = env.beginTransaction(null, BATCH_COMMIT);
                }
                index.put(txn, new DatabaseEntry(ExpiryIndex.indexKey(expiresAt, k)), NO_DATA);
                entries++;
                if (++inBatch == BATCH) {
                    txn.commit();
                    txn = null;
                    inBatch = 0;
                }
            }
            if (txn != null) {
                txn.commit();
                txn = null;
            }
        } finally {
            if (txn != null) {
                txn.abort();
            }
        }
        if (corrupt > 0) {
            LOG.warn("storage store {}: {} corrupt records of {} have no expiry index entry", dir, corrupt, records.getDatabaseName());
        }
        return entries;
    }
}

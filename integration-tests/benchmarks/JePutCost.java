import com.sleepycat.je.CacheMode;
import com.sleepycat.je.Cursor;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;
import com.sleepycat.je.Get;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.ReadOptions;
import com.sleepycat.je.Transaction;

import java.io.File;
import java.util.SplittableRandom;

/**
 * What one write costs in Berkeley DB JE alone, without Earthwo's server, protocol or record
 * cache around it: the floor under a node's SET (BENCHMARKS.md, "What JE's write costs").
 *
 * <p>The write is the one the store does for a SET (JeSegmentStore.applyOnce): a cursor searches
 * the key write-locked (key only) and then replaces the record in place or inserts it, 256
 * databases (segments), keys drawn from 1,000,000 as {@code bench -r 1000000} draws them,
 * 130-byte records (a 100-byte value encoded), JE's log written to the OS every 400 writes (a
 * pipelined burst) and fsynced by JE in the background, the store's checkpoint and cleaner
 * settings. Mode {@code txn}: one transaction per write, as the store does; {@code nontxn}: a
 * non-transactional environment, for comparison. One thread, ROUNDS rounds of 1,000,000 writes,
 * the time per write of each round printed.
 *
 * <pre>java -cp je.jar JePutCost.java txn|nontxn DIR [ROUNDS]</pre>
 */
public final class JePutCost {

    private static final int SEGMENTS = 256;
    private static final int KEYS = 1_000_000;
    private static final int WRITES_PER_ROUND = 1_000_000;
    private static final int WRITES_PER_LOG_WRITE = 400;
    private static final ReadOptions RMW = new ReadOptions().setLockMode(LockMode.RMW);

    public static void main(String[] args) {
        if (args.length < 2 || !(args[0].equals("txn") || args[0].equals("nontxn"))) {
            System.err.println("usage: JePutCost txn|nontxn DIR [ROUNDS]");
            System.exit(2);
        }
        boolean transactional = args[0].equals("txn");
        File dir = new File(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        if (!dir.isDirectory() || dir.list().length > 0) {
            System.err.println(dir + " must be an empty directory");
            System.exit(2);
        }
        try (Environment env = new Environment(dir, environmentConfig(transactional))) {
            Database[] segments = open(env, transactional);
            byte[][] keys = keys();
            byte[] record = new byte[130];
            SplittableRandom random = new SplittableRandom(42);
            for (int round = 1; round <= rounds; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < WRITES_PER_ROUND; i++) {
                    int k = random.nextInt(KEYS);
                    write(env, segments[k % SEGMENTS], transactional, keys[k], record);
                    if (i % WRITES_PER_LOG_WRITE == WRITES_PER_LOG_WRITE - 1) {
                        env.flushLog(false);
                    }
                }
                double micros = (System.nanoTime() - start) / 1000.0 / WRITES_PER_ROUND;
                System.out.printf("%s round %d: %.2f us per write, %d records%n", args[0], round, micros, count(segments));
            }
            for (Database db : segments) {
                db.close();
            }
        }
    }

    private static void write(Environment env, Database db, boolean transactional, byte[] key, byte[] record) {
        Transaction txn = transactional ? env.beginTransaction(null, null) : null;
        try (Cursor cursor = db.openCursor(txn, null)) {
            DatabaseEntry k = new DatabaseEntry(key);
            boolean exists = cursor.get(k, null, Get.SEARCH, RMW) != null;
            if (exists) {
                cursor.putCurrent(new DatabaseEntry(record));
            } else {
                cursor.putNoOverwrite(k, new DatabaseEntry(record));
            }
        }
        if (txn != null) {
            txn.commit();
        }
    }

    private static EnvironmentConfig environmentConfig(boolean transactional) {
        EnvironmentConfig c = new EnvironmentConfig();
        c.setAllowCreate(true);
        c.setTransactional(transactional);
        c.setDurability(Durability.COMMIT_NO_SYNC);
        c.setCachePercent(40);
        c.setCacheMode(CacheMode.EVICT_LN); // the store keeps records in its own cache, not JE's
        c.setConfigParam(EnvironmentConfig.CHECKPOINTER_BYTES_INTERVAL, "200000000");
        c.setConfigParam(EnvironmentConfig.CLEANER_MIN_UTILIZATION, "33");
        return c;
    }

    private static Database[] open(Environment env, boolean transactional) {
        DatabaseConfig c = new DatabaseConfig();
        c.setAllowCreate(true);
        c.setTransactional(transactional);
        Database[] dbs = new Database[SEGMENTS];
        for (int i = 0; i < SEGMENTS; i++) {
            dbs[i] = env.openDatabase(null, "segment-" + i, c);
        }
        return dbs;
    }

    /** Keys as {@code bench} draws them: "key:" and 12 digits. */
    private static byte[][] keys() {
        byte[][] keys = new byte[KEYS][];
        for (int n = 0; n < KEYS; n++) {
            keys[n] = String.format("key:%012d", n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return keys;
    }

    private static long count(Database[] segments) {
        long n = 0;
        for (Database db : segments) {
            n += db.count();
        }
        return n;
    }
}

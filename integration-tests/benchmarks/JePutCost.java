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
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.SplittableRandom;

/**
 * What one write costs in Berkeley DB JE alone, without Earthwo's server, protocol or record
 * cache around it: the floor under a node's SET (BENCHMARKS.md, "JE's own write cost").
 *
 * <p>The write is the one the store does for a SET (SegmentWrites.applyOnce): a cursor searches
 * the key write-locked (key only) and then replaces the record in place or inserts it, 256
 * databases (segments), keys drawn from 1,000,000 as {@code bench -r 1000000} draws them,
 * 130-byte records (a 100-byte value encoded), JE's log written to the OS every 400 writes (a
 * pipelined burst) and fsynced by JE in the background, the store's checkpoint and cleaner
 * settings. Mode {@code txn}: one transaction per write, as the store does; {@code nontxn}: a
 * non-transactional environment, for comparison. Modes that show what other shapes of the
 * write cost (same section): {@code deferred}, a deferred-write database (JE logs
 * nothing until {@code sync}, timed separately at the end of each round; records stay in JE's
 * cache); {@code sorted:N}, writes gathered N at a time, each key once, then written per
 * segment in key order, 1,000 per transaction (the time of gathering included). Options:
 * {@code --fanout N} (B-tree node size; JE's default 128), {@code --prefixing} (key prefixing
 * on, as the store has it). One thread, ROUNDS rounds of 1,000,000 writes, the time per write
 * of each round printed.
 *
 * <pre>java -cp je.jar JePutCost.java txn|nontxn|deferred|sorted:N DIR [ROUNDS] [--fanout N] [--prefixing]</pre>
 */
public final class JePutCost {

    private static final int SEGMENTS = 256;
    private static final int KEYS = 1_000_000;
    private static final int WRITES_PER_ROUND = 1_000_000;
    private static final int WRITES_PER_LOG_WRITE = 400;
    private static final ReadOptions RMW = new ReadOptions().setLockMode(LockMode.RMW);
    private static final int WRITES_PER_SORTED_TXN = 1000;
    private static final String USAGE = "usage: JePutCost txn|nontxn|deferred|sorted:N DIR [ROUNDS] [--fanout N] [--prefixing]";

    public static void main(String[] args) {
        if (args.length < 2) {
            usage();
        }
        String mode = args[0];
        boolean deferred = mode.equals("deferred");
        int batch = mode.startsWith("sorted:") ? Integer.parseInt(mode.substring("sorted:".length())) : 0;
        if (!(mode.equals("txn") || mode.equals("nontxn") || deferred || batch > 0)) {
            usage();
        }
        boolean transactional = !mode.equals("nontxn");
        boolean txnPerWrite = mode.equals("txn");
        File dir = new File(args[1]);
        int rounds = 5;
        int fanout = 128;
        boolean prefixing = false;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--fanout" -> fanout = Integer.parseInt(args[++i]);
                case "--prefixing" -> prefixing = true;
                default -> rounds = Integer.parseInt(args[i]);
            }
        }
        if (!dir.isDirectory() || dir.list().length > 0) {
            System.err.println(dir + " must be an empty directory");
            System.exit(2);
        }
        try (Environment env = new Environment(dir, environmentConfig(transactional, deferred))) {
            Database[] segments = open(env, transactional && !deferred, deferred, fanout, prefixing);
            byte[][] keys = keys();
            byte[] record = new byte[130];
            SplittableRandom random = new SplittableRandom(42);
            List<TreeMap<Integer, byte[]>> gathered = new ArrayList<>();
            for (int s = 0; s < SEGMENTS; s++) {
                gathered.add(new TreeMap<>());
            }
            int inBatch = 0;
            for (int round = 1; round <= rounds; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < WRITES_PER_ROUND; i++) {
                    int k = random.nextInt(KEYS);
                    if (batch > 0) {
                        gathered.get(k % SEGMENTS).put(k, keys[k]);
                        if (++inBatch == batch) {
                            inBatch = 0;
                            writeSorted(env, segments, gathered, record);
                        }
                        continue;
                    }
                    write(env, segments[k % SEGMENTS], txnPerWrite, keys[k], record);
                    if (!deferred && i % WRITES_PER_LOG_WRITE == WRITES_PER_LOG_WRITE - 1) {
                        env.flushLog(false);
                    }
                }
                double micros = (System.nanoTime() - start) / 1000.0 / WRITES_PER_ROUND;
                String sync = deferred ? String.format(", sync %d ms", syncMillis(env, segments)) : "";
                System.out.printf("%s round %d: %.2f us per write%s, %d records%n", mode, round, micros, sync, count(segments));
            }
            for (Database db : segments) {
                db.close();
            }
        }
    }

    /** Writes a deferred-write store's records to its log and fsyncs it; returns the time taken. */
    private static long syncMillis(Environment env, Database[] segments) {
        long start = System.nanoTime();
        for (Database db : segments) {
            db.sync();
        }
        env.flushLog(true);
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void usage() {
        System.err.println(USAGE);
        System.exit(2);
    }

    /** Writes the gathered keys per segment in key order, 1,000 per transaction, and forgets them. */
    private static void writeSorted(Environment env, Database[] segments, List<TreeMap<Integer, byte[]>> gathered, byte[] record) {
        for (int s = 0; s < SEGMENTS; s++) {
            Transaction txn = null;
            int inTxn = 0;
            for (byte[] key : gathered.get(s).values()) {
                if (txn == null) {
                    txn = env.beginTransaction(null, null);
                }
                segments[s].put(txn, new DatabaseEntry(key), new DatabaseEntry(record));
                if (++inTxn == WRITES_PER_SORTED_TXN) {
                    txn.commit();
                    txn = null;
                    inTxn = 0;
                }
            }
            if (txn != null) {
                txn.commit();
            }
            gathered.get(s).clear();
        }
        env.flushLog(false);
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

    private static EnvironmentConfig environmentConfig(boolean transactional, boolean deferred) {
        EnvironmentConfig c = new EnvironmentConfig();
        c.setAllowCreate(true);
        c.setTransactional(transactional);
        c.setDurability(Durability.COMMIT_NO_SYNC);
        c.setCachePercent(40);
        // The store keeps records in its own cache, not JE's; a deferred-write database must keep
        // them until its sync (evicting one would log it).
        c.setCacheMode(deferred ? CacheMode.DEFAULT : CacheMode.EVICT_LN);
        c.setConfigParam(EnvironmentConfig.CHECKPOINTER_BYTES_INTERVAL, "200000000");
        c.setConfigParam(EnvironmentConfig.CLEANER_MIN_UTILIZATION, "33");
        return c;
    }

    private static Database[] open(Environment env, boolean transactional, boolean deferred, int fanout, boolean prefixing) {
        DatabaseConfig c = new DatabaseConfig();
        c.setAllowCreate(true);
        c.setTransactional(transactional);
        c.setDeferredWrite(deferred);
        c.setNodeMaxEntries(fanout);
        c.setKeyPrefixing(prefixing);
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

package earthwo.storage.internal;

import earthwo.api.Record;
import earthwo.api.Version;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What a write costs in the store itself, one thread, no network: inserts of new keys then
 * overwrites of the same keys, timed apart, with {@code apply} (a commit per write, the store's
 * durability) or {@code applyDeferred} (commits left to the group commit). Not a test: a main,
 * run with the storage bundle's classes (and its test classes) on the class path:
 *
 * <pre>
 * java -cp CLASSES StorePutCost DIR apply|deferred RECORDS ROUNDS [indexed|defined]
 * </pre>
 *
 * With {@code indexed}, {@link TestIndexEntries} (2–3 entries a record) is in use; with
 * {@code defined}, indexes are defined but none is in use, so every write keeps its key as an
 * unindexed change. Without either, the store keeps no index: the cost every store pays.
 * Overwrites change the value (so indexed ones move entries). Each round writes a fresh store
 * under DIR and prints ns per insert and per overwrite; the last line gives the medians of all
 * rounds but the first two (JIT warm-up).
 */
public final class StorePutCost {

    private StorePutCost() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        boolean deferred = args[1].equals("deferred");
        int records = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        String indexes = args.length > 4 ? args[4] : "none";
        long[] inserts = new long[rounds];
        long[] overwrites = new long[rounds];
        for (int round = 0; round < rounds; round++) {
            Map<String, Object> config = new HashMap<>();
            config.put(StorageSettings.DIR, dir.resolve("round-" + round).toString());
            config.put("earthwo.segments", "16");
            config.put(StorageSettings.CACHE_BYTES, String.valueOf(256L << 20));
            config.put(StorageSettings.RECORD_CACHE_WARMUP, "false");
            try (JeSegmentStore store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null))) {
                if (indexes.equals("indexed")) {
                    store.useIndexEntries(TestIndexEntries.firstByteAndParts());
                } else if (indexes.equals("defined")) {
                    store.noteIndexesDefined(true);
                }
                inserts[round] = write(store, records, 1, deferred) / records;
                overwrites[round] = write(store, records, 2, deferred) / records;
                System.out.printf("round %d %s %s: insert %d ns/op, overwrite %d ns/op%n", round, args[1], indexes,
                        inserts[round], overwrites[round]);
            }
        }
        if (rounds > 2) {
            System.out.printf("median %s %s: insert %d ns/op, overwrite %d ns/op%n", args[1], indexes,
                    median(inserts, 2), median(overwrites, 2));
        }
    }

    private static long median(long[] values, int from) {
        long[] v = java.util.Arrays.copyOfRange(values, from, values.length);
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }

    /** 100 bytes: {@code pass} repeated, a comma after the tenth (two parts for {@link TestIndexEntries}). */
    private static byte[] value(long pass) {
        byte[] value = new byte[100];
        java.util.Arrays.fill(value, (byte) ('a' + pass));
        value[10] = ',';
        return value;
    }

    /** Writes keys 0..records-1 with version {@code pass}; returns the nanoseconds it took. */
    private static long write(JeSegmentStore store, int records, long pass, boolean deferred) {
        byte[] value = value(pass);
        long start = System.nanoTime();
        for (int i = 0; i < records; i++) {
            byte[] key = String.format("key-%010d", i).getBytes(StandardCharsets.UTF_8);
            Record r = Record.value(key, value, new Version(pass * 1_000_000_000L + i, 1), Record.NEVER);
            int segment = (key[key.length - 1] + key[key.length - 2] * 10) % 16;
            if (deferred) {
                store.applyDeferred(segment, r);
            } else {
                store.apply(segment, r);
            }
        }
        if (deferred) {
            store.durable().toCompletableFuture().join();
        }
        return System.nanoTime() - start;
    }
}

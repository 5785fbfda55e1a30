package earthwo.storage.internal;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.OperationStatus;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.storage.HintStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durable hinted handoff in the node's JE environment (database {@value #DATABASE}), committed
 * with the same durability as records.
 *
 * <pre>
 * JE key  (12 bytes): i32 node, i64 sequence        (big-endian: a cursor walks one node's hints in order)
 * JE data:            u8 format (1), i32 segment, i32 keyLength, key bytes,
 *                     then the record's data exactly as {@link RecordCodec} stores it
 * </pre>
 *
 * Sequences are unique per store and grow across restarts (the next one follows the largest
 * stored). Node ids are non-negative, so unsigned byte order is numeric order.
 */
final class JeHintStore implements HintStore {

    static final String DATABASE = "earthwo.hints";

    private static final Logger LOG = LoggerFactory.getLogger(JeHintStore.class);
    private static final byte FORMAT_1 = 1;
    private static final int KEY_BYTES = 12;

    /** The store's guard: hint operations run while the store is open, as record operations do. */
    private final JeOperationGuard guard;
    private final int segmentCount;
    private final Database db;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<Integer, AtomicLong> counts = new ConcurrentHashMap<>();

    JeHintStore(JeOperationGuard guard, int segmentCount, Database db) {
        this.guard = guard;
        this.segmentCount = segmentCount;
        this.db = db;
        load();
    }

    /** Counts the stored hints per node and finds the largest sequence (keys only). */
    private void load() {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        data.setPartial(0, 0, true);
        long max = 0;
        long total = 0;
        try (Cursor c = db.openCursor(null, CursorConfig.READ_COMMITTED)) {
            while (c.getNext(key, data, null) == OperationStatus.SUCCESS) {
                ByteBuffer k = ByteBuffer.wrap(JeEntries.bytes(key));
                int node = k.getInt();
                max = Math.max(max, k.getLong());
                counts.computeIfAbsent(node, n -> new AtomicLong()).incrementAndGet();
                total++;
            }
        }
        sequence.set(max);
        if (total > 0) {
            LOG.info("storage found {} hints waiting for nodes {}", total, pending());
        }
    }

    @Override
    public void add(int node, int segment, Record record) {
        if (node < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "hint for invalid node " + node);
        }
        if (segment < 0 || segment >= segmentCount) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "hint for segment " + segment + " out of range");
        }
        byte[] encoded = encodeValue(segment, record);
        guard.gated(DATABASE, "add hint", () -> {
            db.put(null, new DatabaseEntry(key(node, sequence.incrementAndGet())), new DatabaseEntry(encoded));
            return Boolean.TRUE;
        });
        counts.computeIfAbsent(node, n -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public List<Hint> peek(int node, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return guard.gated(DATABASE, "peek hints", () -> {
            List<Hint> out = new ArrayList<>(Math.min(limit, 1024));
            DatabaseEntry key = new DatabaseEntry(key(node, 0));
            DatabaseEntry data = new DatabaseEntry();
            try (Cursor c = db.openCursor(null, CursorConfig.READ_COMMITTED)) {
                OperationStatus st = c.getSearchKeyRange(key, data, null);
                while (st == OperationStatus.SUCCESS && out.size() < limit) {
                    ByteBuffer k = ByteBuffer.wrap(JeEntries.bytes(key));
                    if (k.getInt() != node) {
                        break;
                    }
                    out.add(decode(node, k.getLong(), JeEntries.bytes(data)));
                    st = c.getNext(key, data, null);
                }
            }
            return out;
        });
    }

    @Override
    public void remove(Hint hint) {
        boolean deleted = guard.gated(DATABASE, "remove hint",
                () -> db.delete(null, new DatabaseEntry(key(hint.node(), hint.sequence()))) == OperationStatus.SUCCESS);
        if (deleted) {
            AtomicLong n = counts.get(hint.node());
            if (n != null) {
                n.updateAndGet(v -> Math.max(0, v - 1));
            }
        }
    }

    @Override
    public Map<Integer, Long> pending() {
        Map<Integer, Long> out = new TreeMap<>();
        counts.forEach((node, n) -> {
            long v = n.get();
            if (v > 0) {
                out.put(node, v);
            }
        });
        return out;
    }

    long totalPending() {
        long sum = 0;
        for (AtomicLong n : counts.values()) {
            sum += n.get();
        }
        return sum;
    }

    static byte[] key(int node, long sequence) {
        return ByteBuffer.allocate(KEY_BYTES).putInt(node).putLong(sequence).array();
    }

    static byte[] encodeValue(int segment, Record record) {
        byte[] data = RecordCodec.encode(record);
        byte[] key = record.key();
        return ByteBuffer.allocate(1 + 4 + 4 + key.length + data.length)
                .put(FORMAT_1).putInt(segment).putInt(key.length).put(key).put(data).array();
    }

    static Hint decode(int node, long sequence, byte[] value) {
        if (value.length < 9 || value[0] != FORMAT_1) {
            throw new EarthwoException(ErrorCode.INTERNAL, "corrupt hint " + sequence + " for node " + node);
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        b.get();
        int segment = b.getInt();
        int keyLength = b.getInt();
        if (keyLength <= 0 || keyLength > b.remaining()) {
            throw new EarthwoException(ErrorCode.INTERNAL, "corrupt hint " + sequence + " for node " + node
                    + ": key length " + keyLength);
        }
        byte[] key = Arrays.copyOfRange(value, 9, 9 + keyLength);
        byte[] data = Arrays.copyOfRange(value, 9 + keyLength, value.length);
        return new Hint(sequence, node, segment, RecordCodec.decode(key, data));
    }
}

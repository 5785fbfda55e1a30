package earthwo.replication.internal.antientropy;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.Version;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodings of the anti-entropy peer messages (types 16–22; WIRE-PROTOCOL.md §"Peer messages:
 * anti-entropy"). Integers are big-endian. Every request starts with the same header
 * ({@code u8 type, i32 segment, i32 fromNode, i64 mapEpoch}); answers carry no header.
 */
final class AeCodec {

    static final int DIGEST = 16;
    static final int LIST = 17;
    static final int FETCH = 18;
    static final int PUSH = 19;
    static final int ALIGN = 20;
    static final int PURGE = 21;
    static final int RESULT = 22;
    static final int FIRST_TYPE = DIGEST;
    static final int LAST_TYPE = RESULT;

    static final int HEADER_BYTES = 17;
    /** Largest count of any list in a message (guards allocations against a corrupt frame). */
    static final int MAX_ITEMS = 16 << 20;

    private AeCodec() {
    }

    /** The common request header. */
    record Header(int type, int segment, int fromNode, long epoch) {
    }

    /** A tree node: level 0..16 and its id (the key-hash prefix). */
    record Node(int level, long id) {
    }

    /** One (keyHash, version) pair of a listing or a removal. */
    record Entry(long keyHash, long timestamp, int nodeId) {
        Version version() {
            return new Version(timestamp, nodeId);
        }
    }

    // ---------------------------------------------------------------- writing

    static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);

        Out u8(int v) {
            bytes.write(v);
            return this;
        }

        Out i32(int v) {
            bytes.write(v >>> 24);
            bytes.write(v >>> 16);
            bytes.write(v >>> 8);
            bytes.write(v);
            return this;
        }

        Out i64(long v) {
            i32((int) (v >>> 32));
            return i32((int) v);
        }

        Out bytes(byte[] b) {
            i32(b.length);
            bytes.write(b, 0, b.length);
            return this;
        }

        Out header(int type, int segment, int fromNode, long epoch) {
            return u8(type).i32(segment).i32(fromNode).i64(epoch);
        }

        Out record(Record r) {
            bytes(r.key());
            bytes(r.value());
            i64(r.version().timestamp());
            i32(r.version().nodeId());
            i64(r.expiresAt());
            return u8(r.isTombstone() ? 1 : 0);
        }

        Out entry(Entry e) {
            return i64(e.keyHash()).i64(e.timestamp()).i32(e.nodeId());
        }

        int size() {
            return bytes.size();
        }

        byte[] toBytes() {
            return bytes.toByteArray();
        }
    }

    /** Encoded size of a record in PUSH/FETCH/ALIGN (also the unit of "a full copy"). */
    static int recordBytes(Record r) {
        return 4 + r.key().length + 4 + r.value().length + 8 + 4 + 8 + 1;
    }

    static final int ENTRY_BYTES = 20;

    // ---------------------------------------------------------------- reading

    static final class In {
        private final ByteBuffer buf;

        In(byte[] payload) {
            this.buf = ByteBuffer.wrap(payload);
        }

        int u8() {
            return get(() -> buf.get() & 0xff);
        }

        int i32() {
            return get(buf::getInt);
        }

        long i64() {
            return get(buf::getLong);
        }

        int count() {
            int n = i32();
            if (n < 0 || n > MAX_ITEMS || n > buf.remaining()) {
                throw bad("bad count " + n);
            }
            return n;
        }

        byte[] bytes() {
            int n = count();
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        }

        Header header() {
            int type = u8();
            return new Header(type, i32(), i32(), i64());
        }

        Record record() {
            byte[] key = bytes();
            byte[] value = bytes();
            Version v = new Version(i64(), i32());
            long expiresAt = i64();
            int tomb = u8();
            if (key.length == 0) {
                throw bad("empty key");
            }
            return tomb != 0 ? Record.tombstone(key, v) : Record.value(key, value, v, expiresAt);
        }

        Entry entry() {
            return new Entry(i64(), i64(), i32());
        }

        Node node() {
            int level = u8();
            long id = i64();
            try {
                Hashing.checkNode(level, id);
            } catch (IllegalArgumentException e) {
                throw bad(e.getMessage());
            }
            return new Node(level, id);
        }

        void end() {
            if (buf.hasRemaining()) {
                throw bad(buf.remaining() + " trailing bytes");
            }
        }

        private <T> T get(java.util.function.Supplier<T> s) {
            try {
                return s.get();
            } catch (BufferUnderflowException e) {
                throw bad("truncated message");
            }
        }
    }

    static EarthwoException bad(String message) {
        return new EarthwoException(ErrorCode.BAD_REQUEST, "anti-entropy: " + message);
    }

    // ---------------------------------------------------------------- messages

    /** DIGEST: header, i64 salt, u8 level, i32 n, n × i64 id. */
    static byte[] digestRequest(Header h, long salt, int level, List<Long> ids) {
        Out o = new Out().header(DIGEST, h.segment(), h.fromNode(), h.epoch()).i64(salt).u8(level).i32(ids.size());
        for (long id : ids) {
            o.i64(id);
        }
        return o.toBytes();
    }

    /** DIGEST answer: i32 n, n × 16 × (i32 digest, i32 count) — children of each asked node. */
    static byte[] digestResponse(List<int[]> children) {
        Out o = new Out().i32(children.size());
        for (int[] c : children) {
            for (int v : c) {
                o.i32(v);
            }
        }
        return o.toBytes();
    }

    static List<int[]> decodeDigestResponse(byte[] payload) {
        In in = new In(payload);
        int n = in.count();
        List<int[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int[] c = new int[2 * Hashing.FANOUT];
            for (int j = 0; j < c.length; j++) {
                c[j] = in.i32();
            }
            out.add(c);
        }
        in.end();
        return out;
    }

    /** LIST: header, i64 salt, i32 n, n × (u8 level, i64 id). */
    static byte[] listRequest(Header h, long salt, List<Node> nodes) {
        Out o = new Out().header(LIST, h.segment(), h.fromNode(), h.epoch()).i64(salt).i32(nodes.size());
        for (Node n : nodes) {
            o.u8(n.level()).i64(n.id());
        }
        return o.toBytes();
    }

    /** LIST answer: i32 n, n × (i32 m, m × entry) in the order of the asked nodes. */
    static byte[] listResponse(List<List<Entry>> listings) {
        Out o = new Out().i32(listings.size());
        for (List<Entry> l : listings) {
            o.i32(l.size());
            for (Entry e : l) {
                o.entry(e);
            }
        }
        return o.toBytes();
    }

    static List<List<Entry>> decodeListResponse(byte[] payload) {
        In in = new In(payload);
        int n = in.count();
        List<List<Entry>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int m = in.count();
            List<Entry> l = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
                l.add(in.entry());
            }
            out.add(l);
        }
        in.end();
        return out;
    }

    /** FETCH: header, i32 n, n × i64 keyHash. */
    static byte[] fetchRequest(Header h, List<Long> keyHashes) {
        Out o = new Out().header(FETCH, h.segment(), h.fromNode(), h.epoch()).i32(keyHashes.size());
        for (long k : keyHashes) {
            o.i64(k);
        }
        return o.toBytes();
    }

    /** FETCH answer: u8 truncated, i32 n, n × record. */
    static byte[] recordsResponse(boolean truncated, List<Record> records) {
        Out o = new Out().u8(truncated ? 1 : 0).i32(records.size());
        for (Record r : records) {
            o.record(r);
        }
        return o.toBytes();
    }

    /** A decoded FETCH answer. */
    record Fetched(boolean truncated, List<Record> records) {
    }

    static Fetched decodeRecordsResponse(byte[] payload) {
        In in = new In(payload);
        boolean truncated = in.u8() != 0;
        int n = in.count();
        List<Record> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(in.record());
        }
        in.end();
        return new Fetched(truncated, out);
    }

    /** PUSH: header, i32 n, n × record. Answer: i32 applied. */
    static byte[] pushRequest(Header h, List<Record> records) {
        Out o = new Out().header(PUSH, h.segment(), h.fromNode(), h.epoch()).i32(records.size());
        for (Record r : records) {
            o.record(r);
        }
        return o.toBytes();
    }

    /** ALIGN: header, i32 n, n × record (the master's copy), i32 m, m × entry (to remove). */
    static byte[] alignRequest(Header h, List<Record> records, List<Entry> removals) {
        Out o = new Out().header(ALIGN, h.segment(), h.fromNode(), h.epoch()).i32(records.size());
        for (Record r : records) {
            o.record(r);
        }
        o.i32(removals.size());
        for (Entry e : removals) {
            o.entry(e);
        }
        return o.toBytes();
    }

    /** ALIGN answer: i32 written, i32 overwritten (newer replica records replaced), i32 removed. */
    static byte[] ints(int... values) {
        Out o = new Out();
        for (int v : values) {
            o.i32(v);
        }
        return o.toBytes();
    }

    static int[] decodeInts(byte[] payload, int n) {
        In in = new In(payload);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = in.i32();
        }
        in.end();
        return out;
    }

    /** PURGE: header, i64 cutoffMillis. Answer: i32 purged. */
    static byte[] purgeRequest(Header h, long cutoffMillis) {
        return new Out().header(PURGE, h.segment(), h.fromNode(), h.epoch()).i64(cutoffMillis).toBytes();
    }

    /** RESULT: header, u8 inSync. Answer: empty. */
    static byte[] resultRequest(Header h, boolean inSync) {
        return new Out().header(RESULT, h.segment(), h.fromNode(), h.epoch()).u8(inSync ? 1 : 0).toBytes();
    }
}

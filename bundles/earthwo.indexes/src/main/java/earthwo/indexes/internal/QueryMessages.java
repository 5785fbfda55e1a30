package earthwo.indexes.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Limits;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.indexes.IndexQuery;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The node-to-node message of index queries (peer message {@value #TYPE}): the node that took a
 * query asks another for its rows of some segments.
 *
 * <pre>
 * ask:    u8 type, u8 format, i32 index id, i64 now (ms), u8 keys only, i32 limit,
 *         bytes from, bytes to, i32 n, n × i32 segment            (bytes: i32 length, then bytes)
 * answer: u8 more, i32 n, n × (bytes entry, bytes key, u8 has record,
 *         [bytes value, i64 version timestamp, i32 version node, i64 expiresAt])
 * </pre>
 */
final class QueryMessages {

    static final int TYPE = 40;
    static final int FORMAT = 1;
    /** An entry is an id, an encoded value (at most 512 bytes, a query bound up to 1 KiB) and slack. */
    private static final int MAX_ENTRY = 4 + 2 * IndexQuery.MAX_BOUND_BYTES + 16;

    record Ask(int indexId, long now, boolean keysOnly, int limit, byte[] from, byte[] to, List<Integer> segments) {
    }

    private QueryMessages() {
    }

    static byte[] encode(Ask a) {
        return write(out -> {
            out.writeByte(TYPE);
            out.writeByte(FORMAT);
            out.writeInt(a.indexId());
            out.writeLong(a.now());
            out.writeByte(a.keysOnly() ? 1 : 0);
            out.writeInt(a.limit());
            bytes(out, a.from());
            bytes(out, a.to());
            out.writeInt(a.segments().size());
            for (int s : a.segments()) {
                out.writeInt(s);
            }
        });
    }

    static Ask decodeAsk(byte[] payload, int segmentCount) {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            if (in.get() != TYPE || in.get() != FORMAT) {
                throw bad("not an index query of format " + FORMAT);
            }
            int id = in.getInt();
            long now = in.getLong();
            boolean keysOnly = in.get() != 0;
            int limit = in.getInt();
            if (limit < 1 || limit > IndexQuery.MAX_LIMIT) {
                throw bad("limit " + limit);
            }
            byte[] from = bytes(in, MAX_ENTRY + Limits.MAX_KEY_BYTES);
            byte[] to = bytes(in, MAX_ENTRY + Limits.MAX_KEY_BYTES);
            int n = in.getInt();
            if (n < 0 || n > segmentCount) {
                throw bad(n + " segments");
            }
            List<Integer> segments = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int s = in.getInt();
                if (s < 0 || s >= segmentCount) {
                    throw bad("segment " + s);
                }
                segments.add(s);
            }
            return new Ask(id, now, keysOnly, limit, from, to, segments);
        } catch (BufferUnderflowException e) {
            throw bad("truncated");
        }
    }

    static byte[] encode(NodeRows rows) {
        return write(out -> {
            out.writeByte(rows.more() ? 1 : 0);
            out.writeInt(rows.rows().size());
            for (NodeRows.Row r : rows.rows()) {
                bytes(out, r.entry());
                bytes(out, r.key());
                out.writeByte(r.record() == null ? 0 : 1);
                if (r.record() != null) {
                    bytes(out, r.record().value());
                    out.writeLong(r.record().version().timestamp());
                    out.writeInt(r.record().version().nodeId());
                    out.writeLong(r.record().expiresAt());
                }
            }
        });
    }

    static NodeRows decodeRows(byte[] payload) {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            boolean more = in.get() != 0;
            int n = in.getInt();
            if (n < 0 || n > IndexQuery.MAX_LIMIT) {
                throw bad(n + " rows");
            }
            List<NodeRows.Row> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] entry = bytes(in, MAX_ENTRY);
                byte[] key = bytes(in, Limits.MAX_KEY_BYTES);
                Record record = null;
                if (in.get() != 0) {
                    byte[] value = bytes(in, Integer.MAX_VALUE);
                    Version v = new Version(in.getLong(), in.getInt());
                    record = Record.value(key, value, v, in.getLong());
                }
                rows.add(new NodeRows.Row(entry, key, record));
            }
            return new NodeRows(rows, more);
        } catch (BufferUnderflowException e) {
            throw bad("truncated answer");
        }
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(b)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(ByteBuffer in, int max) {
        int n = in.getInt();
        if (n < 0 || n > max || n > in.remaining()) {
            throw bad("a field of " + n + " bytes");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static EarthwoException bad(String what) {
        return new EarthwoException(ErrorCode.BAD_REQUEST, "malformed index query message: " + what);
    }
}

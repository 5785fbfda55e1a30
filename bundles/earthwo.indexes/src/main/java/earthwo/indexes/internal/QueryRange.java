package earthwo.indexes.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.indexes.IndexQuery;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;

/**
 * A query as a range of stored entry bytes ({@code [from, to)}, unsigned order; each stored entry is
 * index id, encoded value, record key), and the cursor that continues it: the base64url of the last
 * row's bytes, with the index id, so a cursor of a dropped and re-created index is refused.
 */
record QueryRange(byte[] from, byte[] to) {

    private static final int CURSOR_FORMAT = 1;

    /** The range of {@code query} in the index {@code d}; BAD_REQUEST for a bound its type does not take, from above to, or a bad cursor. */
    static QueryRange of(IndexDefinition d, IndexQuery query) {
        byte[] prefix = d.prefix();
        byte[] from;
        byte[] to;
        if (query.eq() != null) {
            from = concat(prefix, IndexKeyCodec.encodeQueryBound(d.type(), query.eq()));
            to = successor(from);
        } else {
            byte[] lo = query.from() == null ? null : IndexKeyCodec.encodeQueryBound(d.type(), query.from());
            byte[] hi = query.to() == null ? null : IndexKeyCodec.encodeQueryBound(d.type(), query.to());
            if (lo != null && hi != null && Arrays.compareUnsigned(lo, hi) > 0) {
                throw new EarthwoException(ErrorCode.BAD_REQUEST, "the range's from (" + query.from()
                        + ") is above its to (" + query.to() + ") in index '" + d.name() + "' (" + d.type().name().toLowerCase()
                        + ")");
            }
            from = lo == null ? prefix : concat(prefix, lo);
            to = hi == null ? successor(prefix) : successor(concat(prefix, hi));
        }
        if (query.after() != null) {
            byte[] last = cursorBytes(d, query.after());
            byte[] next = Arrays.copyOf(last, last.length + 1); // the least bytes after the last row's
            if (Arrays.compareUnsigned(next, from) > 0) {
                from = next;
            }
        }
        return new QueryRange(from, to);
    }

    /** The cursor after a row whose stored bytes are {@code entry} then {@code key}. */
    static String cursor(IndexDefinition d, byte[] entry, byte[] key) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + entry.length + key.length);
        b.put((byte) CURSOR_FORMAT).putInt(d.id()).put(entry).put(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    private static byte[] cursorBytes(IndexDefinition d, String cursor) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "malformed cursor: " + e.getMessage());
        }
        if (raw.length < 9 || raw[0] != CURSOR_FORMAT) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "malformed cursor");
        }
        int id = ByteBuffer.wrap(raw, 1, 4).getInt();
        if (id != d.id()) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "the cursor is of another index than '" + d.name()
                    + "' (it was dropped and defined anew, or the cursor is of another index): start again without it");
        }
        return Arrays.copyOfRange(raw, 5, raw.length);
    }

    /** The least byte string above every string that starts with {@code p}; all 0xFF bytes: none (null). */
    static byte[] successor(byte[] p) {
        for (int i = p.length - 1; i >= 0; i--) {
            if (p[i] != (byte) 0xFF) {
                byte[] s = Arrays.copyOf(p, i + 1);
                s[i]++;
                return s;
            }
        }
        return null;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package earthwo.api.indexes;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.util.Objects;

/**
 * A query of one secondary index: the records whose index value equals {@code eq}, or lies between
 * {@code from} and {@code to} (both inclusive; either may be left open), ordered by (index value,
 * key), at most {@code limit} rows per page. Values are given as text and read by the index's
 * type: {@code "42"} for a {@code long} index. A page's {@link IndexPage#cursor()} given back as
 * {@code after} continues the same query after the page's last row, exactly once per row even
 * while writes go on (a row written behind the cursor meanwhile is not returned).
 */
public final class IndexQuery {

    /** Rows per page unless asked otherwise. */
    public static final int DEFAULT_LIMIT = 100;
    /** The most rows a page may ask for. */
    public static final int MAX_LIMIT = 10_000;
    /** The longest an index name may be, in characters. */
    public static final int MAX_NAME_CHARS = 64;
    /** The longest a value bound may be, in UTF-8 bytes. */
    public static final int MAX_BOUND_BYTES = 1024;

    private final String index;
    private final String eq;
    private final String from;
    private final String to;
    private final int limit;
    private final String after;
    private final boolean keysOnly;

    private IndexQuery(String index, String eq, String from, String to, int limit, String after, boolean keysOnly) {
        this.index = Objects.requireNonNull(index, "index");
        this.eq = eq;
        this.from = from;
        this.to = to;
        this.limit = limit;
        this.after = after;
        this.keysOnly = keysOnly;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a query's limit must be 1.." + MAX_LIMIT + ", not " + limit);
        }
        if (eq != null && (from != null || to != null)) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a query is either an exact match (eq) or a range (from, to), not both");
        }
        for (String bound : new String[] {eq, from, to}) {
            if (bound != null && bound.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BOUND_BYTES) {
                throw new EarthwoException(ErrorCode.TOO_LARGE, "a query's value is over " + MAX_BOUND_BYTES + " bytes");
            }
        }
        if (index.isEmpty() || index.length() > MAX_NAME_CHARS) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "an index name has 1.." + MAX_NAME_CHARS + " characters");
        }
    }

    /** Records whose value under {@code index} equals {@code value}. */
    public static IndexQuery eq(String index, String value) {
        return new IndexQuery(index, Objects.requireNonNull(value, "value"), null, null, DEFAULT_LIMIT, null, false);
    }

    /** Records whose value under {@code index} is at least {@code from} and at most {@code to}; null leaves a side open. */
    public static IndexQuery range(String index, String from, String to) {
        return new IndexQuery(index, null, from, to, DEFAULT_LIMIT, null, false);
    }

    /** This query with pages of at most {@code rows} rows (1..{@value #MAX_LIMIT}). */
    public IndexQuery limit(int rows) {
        return new IndexQuery(index, eq, from, to, rows, after, keysOnly);
    }

    /** This query continued after a page's {@link IndexPage#cursor() cursor} (null: from the start). */
    public IndexQuery after(String cursor) {
        return new IndexQuery(index, eq, from, to, limit, cursor, keysOnly);
    }

    /** This query answering keys and index values only, without the records' values. */
    public IndexQuery keysOnly(boolean only) {
        return new IndexQuery(index, eq, from, to, limit, after, only);
    }

    public String index() {
        return index;
    }

    /** The exact value, or null for a range. */
    public String eq() {
        return eq;
    }

    /** The range's lower bound (inclusive), or null: open (or an exact match). */
    public String from() {
        return from;
    }

    /** The range's upper bound (inclusive), or null: open (or an exact match). */
    public String to() {
        return to;
    }

    public int limit() {
        return limit;
    }

    /** The cursor this page continues after, or null. */
    public String after() {
        return after;
    }

    public boolean keysOnly() {
        return keysOnly;
    }

    @Override
    public String toString() {
        return "IndexQuery[" + index + (eq != null ? " eq " + eq : " from " + from + " to " + to) + ", limit " + limit
                + (after != null ? ", after a cursor" : "") + (keysOnly ? ", keys only" : "") + "]";
    }
}

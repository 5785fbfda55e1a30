package earthwo.api.protocol;

import earthwo.api.EarthwoException;
import earthwo.api.Limits;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;

import java.util.ArrayList;
import java.util.List;

/**
 * The payloads of QUERY (WIRE-PROTOCOL.md §3, §4): an {@link IndexQuery} in the request, an
 * {@link IndexPage} in its answer, and the answer's size, by which a node keeps a page inside one
 * frame. Optional text travels behind a presence flag, so an absent bound (null) and an empty one
 * ("") stay apart.
 */
final class QueryCodec {

    /** A UTF-16 char takes at most 3 bytes of UTF-8, so no name {@link IndexQuery} accepts is longer. */
    static final int MAX_INDEX_NAME_BYTES = IndexQuery.MAX_NAME_CHARS * 3;
    /** Bytes of a row's record besides its value: value length, version, expiresAt. */
    private static final int RECORD_OVERHEAD = 4 + 12 + 8;
    /** Bytes of a row besides its key, index value and record: two lengths and the record flag. */
    private static final int ROW_OVERHEAD = 4 + 4 + 1;
    private static final int MAX_TEXT = Limits.MAX_FRAME_BYTES;

    private QueryCodec() {
    }

    // ---- request ----

    static void writeQuery(WireWriter w, IndexQuery q) {
        w.i32(q.limit()).string(q.index());
        optional(w, q.eq());
        optional(w, q.from());
        optional(w, q.to());
        optional(w, q.after());
        w.u8(q.keysOnly() ? 1 : 0);
    }

    /** Every rule of {@link IndexQuery} holds for what this returns; a breach is a {@link ProtocolException}. */
    static IndexQuery readQuery(WireReader r) {
        int limit = r.i32();
        if (limit < 1 || limit > IndexQuery.MAX_LIMIT) {
            throw r.bad("query limit must be 1.." + IndexQuery.MAX_LIMIT + ", was " + limit);
        }
        String index = r.strictString(MAX_INDEX_NAME_BYTES, "index name");
        String eq = optional(r, IndexQuery.MAX_BOUND_BYTES, "eq");
        String from = optional(r, IndexQuery.MAX_BOUND_BYTES, "from");
        String to = optional(r, IndexQuery.MAX_BOUND_BYTES, "to");
        String after = optional(r, Request.MAX_CURSOR_BYTES, "cursor");
        boolean keysOnly = r.flag("keysOnly");
        if (eq != null && (from != null || to != null)) {
            throw r.bad("a query is either an exact match (eq) or a range (from, to), not both");
        }
        try {
            IndexQuery q = eq != null ? IndexQuery.eq(index, eq) : IndexQuery.range(index, from, to);
            return q.limit(limit).after(after).keysOnly(keysOnly);
        } catch (EarthwoException e) {
            throw r.refused(e.code(), e.detail());
        }
    }

    // ---- answer ----

    static void writePage(WireWriter w, IndexPage page) {
        w.i32(page.rows().size());
        for (IndexRow row : page.rows()) {
            w.bytes(row.key()).string(row.indexValue());
            Record record = row.record();
            if (record == null) {
                w.u8(0);
            } else {
                w.u8(1).bytes(record.value()).i64(record.version().timestamp()).i32(record.version().nodeId())
                        .i64(record.expiresAt());
            }
        }
        optional(w, page.cursor());
    }

    static IndexPage readPage(WireReader r) {
        int n = r.i32();
        if (n < 0 || n > IndexQuery.MAX_LIMIT) {
            throw r.bad("bad row count " + n);
        }
        List<IndexRow> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] key = r.bytes(MAX_TEXT, "key");
            String indexValue = r.string(MAX_TEXT, "index value");
            Record record = null;
            if (r.flag("hasRecord")) {
                byte[] value = r.bytes(MAX_TEXT, "value");
                Version version = new Version(r.i64(), r.i32());
                record = Record.value(key, value, version, r.i64());
            }
            rows.add(new IndexRow(key, indexValue, record));
        }
        String cursor = r.flag("hasCursor") ? r.string(Request.MAX_CURSOR_BYTES, "cursor") : null;
        return new IndexPage(rows, cursor);
    }

    // ---- sizes ----

    /** Bytes after the length prefix of an answer holding {@code page}: what the frame limit bounds. */
    static long answerBytes(IndexPage page) {
        long n = answerOverhead(page.cursor() == null ? -1 : utf8Length(page.cursor()));
        for (IndexRow row : page.rows()) {
            n += rowBytes(row);
        }
        return n;
    }

    static long rowBytes(IndexRow row) {
        long n = ROW_OVERHEAD + row.key().length + utf8Length(row.indexValue());
        Record record = row.record();
        return record == null ? n : n + RECORD_OVERHEAD + record.value().length;
    }

    /** Bytes of an answer besides its rows: header, row count, cursor flag, and a cursor of that many bytes (-1: none). */
    static int answerOverhead(int cursorBytes) {
        return Frames.HEADER_BYTES + 4 + 1 + (cursorBytes < 0 ? 0 : 4 + cursorBytes);
    }

    /** The length of {@code s} in UTF-8 as {@link String#getBytes} makes it (an unpaired surrogate becomes one '?'). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1;
            } else {
                n += 3;
            }
        }
        return n;
    }

    // ---- optional text: u8 present, then string ----

    private static void optional(WireWriter w, String text) {
        if (text == null) {
            w.u8(0);
        } else {
            w.u8(1).string(text);
        }
    }

    private static String optional(WireReader r, int maxBytes, String field) {
        return r.flag("has " + field) ? r.strictString(maxBytes, field) : null;
    }

}

package earthwo.api.protocol;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** QUERY (0x16) on the wire: every field of a query and of its page, its bounds and its malformed frames. */
class QueryProtocolTest {

    private static final Version V = Version.of(1_700_000_000_000L, 5, 3);

    private static ByteBuffer body(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        assertEquals(frame.length - 4, b.getInt(), "length prefix counts the bytes after it");
        return b.slice();
    }

    private static IndexQuery roundTrip(IndexQuery q) {
        Request r = Request.decode(body(Request.query(77, q).encode()), ProtocolLimits.DEFAULT);
        assertEquals(Opcode.QUERY, r.opcode());
        assertEquals(77, r.id());
        return r.query();
    }

    private static IndexPage roundTrip(IndexPage page) {
        return Response.decode(body(Response.queryPage(8, page).encode()), Opcode.QUERY).indexPage();
    }

    private static void assertSameQuery(IndexQuery expected, IndexQuery actual) {
        assertEquals(expected.index(), actual.index());
        assertEquals(expected.eq(), actual.eq());
        assertEquals(expected.from(), actual.from());
        assertEquals(expected.to(), actual.to());
        assertEquals(expected.limit(), actual.limit());
        assertEquals(expected.after(), actual.after());
        assertEquals(expected.keysOnly(), actual.keysOnly());
    }

    // ---- requests ----

    @Test
    void queryRoundTripsEveryField() {
        IndexQuery eq = IndexQuery.eq("by-email", "ada@example.org").limit(250).after("c1:opaque").keysOnly(true);
        assertSameQuery(eq, roundTrip(eq));
        IndexQuery range = IndexQuery.range("age", "18", "65").limit(IndexQuery.MAX_LIMIT);
        assertSameQuery(range, roundTrip(range));
        assertSameQuery(IndexQuery.range("age", "18", null), roundTrip(IndexQuery.range("age", "18", null)));
        assertSameQuery(IndexQuery.range("age", null, "65"), roundTrip(IndexQuery.range("age", null, "65")));
        IndexQuery whole = roundTrip(IndexQuery.range("age", null, null).limit(1));
        assertNull(whole.eq());
        assertNull(whole.from());
        assertNull(whole.to());
        assertNull(whole.after());
        assertFalse(whole.keysOnly());
        assertEquals(1, whole.limit());
    }

    @Test
    void anEmptyValueIsNotAnAbsentOne() {
        IndexQuery emptyEq = roundTrip(IndexQuery.eq("name", ""));
        assertEquals("", emptyEq.eq());
        IndexQuery emptyFrom = roundTrip(IndexQuery.range("name", "", null).after(""));
        assertEquals("", emptyFrom.from());
        assertNull(emptyFrom.to());
        assertNull(emptyFrom.eq());
        assertEquals("", emptyFrom.after());
    }

    @Test
    void textOutsideAsciiAndTheLongestValuesRoundTrip() {
        String name = "\u00e9".repeat(IndexQuery.MAX_NAME_CHARS); // 2 bytes each
        String longest = "\u20ac".repeat(IndexQuery.MAX_BOUND_BYTES / 3) + "x"; // exactly 1024 bytes
        assertEquals(IndexQuery.MAX_BOUND_BYTES, longest.getBytes(StandardCharsets.UTF_8).length);
        String cursor = "c".repeat(Request.MAX_CURSOR_BYTES);
        IndexQuery q = IndexQuery.range(name, longest, "\ud83d\ude00 smile").after(cursor);
        assertSameQuery(q, roundTrip(q));
        String widest = "\u20ac".repeat(IndexQuery.MAX_NAME_CHARS); // 192 bytes: the most a valid name takes
        assertEquals(widest, roundTrip(IndexQuery.eq(widest, "x")).index());
    }

    @Test
    void limitOutOfRangeIsBadRequestWithTheFrameId() {
        for (int limit : new int[] {0, -1, IndexQuery.MAX_LIMIT + 1, Integer.MIN_VALUE}) {
            ProtocolException e = refused(new QueryFrame().limit(limit).bytes());
            assertEquals(ErrorCode.BAD_REQUEST, e.code(), "limit " + limit);
            assertEquals(QueryFrame.ID, e.requestId());
        }
    }

    @Test
    void eqTogetherWithARangeIsBadRequest() {
        assertEquals(ErrorCode.BAD_REQUEST, refused(new QueryFrame().eq("a").from("b").bytes()).code());
        assertEquals(ErrorCode.BAD_REQUEST, refused(new QueryFrame().eq("a").to("b").bytes()).code());
    }

    @Test
    void indexNameRulesOfIndexQueryHoldOnTheWire() {
        assertEquals(ErrorCode.BAD_REQUEST, refused(new QueryFrame().index("").bytes()).code());
        assertEquals(ErrorCode.BAD_REQUEST, refused(new QueryFrame().index("n".repeat(65)).bytes()).code());
        assertEquals(ErrorCode.TOO_LARGE, refused(new QueryFrame().index("n".repeat(193)).bytes()).code());
    }

    @Test
    void valuesAndCursorsOverTheirLimitsAreTooLarge() {
        String over = "v".repeat(IndexQuery.MAX_BOUND_BYTES + 1);
        assertEquals(ErrorCode.TOO_LARGE, refused(new QueryFrame().eq(over).bytes()).code());
        assertEquals(ErrorCode.TOO_LARGE, refused(new QueryFrame().from(over).bytes()).code());
        assertEquals(ErrorCode.TOO_LARGE, refused(new QueryFrame().to(over).bytes()).code());
        ProtocolException e = refused(new QueryFrame().after("c".repeat(Request.MAX_CURSOR_BYTES + 1)).bytes());
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals(QueryFrame.ID, e.requestId());
    }

    @Test
    void flagsOtherThanZeroOrOneAreBadRequest() {
        assertEquals(ErrorCode.BAD_REQUEST, refused(new QueryFrame().keysOnly(2).bytes()).code());
        assertEquals(ErrorCode.BAD_REQUEST, refused(new QueryFrame().eqFlag(7).bytes()).code());
    }

    @Test
    void malformedUtf8IsBadRequest() {
        byte[] bad = {(byte) 0xc3, (byte) 0x28};
        assertEquals(ErrorCode.BAD_REQUEST, refused(new QueryFrame().eqBytes(bad).bytes()).code());
        assertEquals(ErrorCode.BAD_REQUEST, refused(new QueryFrame().indexBytes(bad).bytes()).code());
    }

    @Test
    void truncatedAndTrailingFramesAreBadRequest() {
        byte[] frame = Request.query(5, IndexQuery.range("age", "1", "9").after("cur").keysOnly(true)).encode();
        for (int cut = 4 + Frames.HEADER_BYTES; cut < frame.length; cut++) {
            ByteBuffer b = ByteBuffer.wrap(frame, 4, cut - 4).slice();
            ProtocolException e = assertThrows(ProtocolException.class, () -> Request.decode(b, ProtocolLimits.DEFAULT));
            assertEquals(ErrorCode.BAD_REQUEST, e.code(), "cut at " + cut);
            assertEquals(5, e.requestId());
        }
        byte[] longer = java.util.Arrays.copyOf(frame, frame.length + 1);
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(ProtocolException.class,
                () -> Request.decode(ByteBuffer.wrap(longer, 4, longer.length - 4).slice(), ProtocolLimits.DEFAULT)).code());
    }

    @Test
    void randomPayloadsNeverEscapeAsAnythingButProtocolException() {
        Random rnd = new Random(16);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[Frames.HEADER_BYTES + rnd.nextInt(48)];
            rnd.nextBytes(junk);
            junk[0] = (byte) Opcode.QUERY.code();
            if (junk.length >= 9 && rnd.nextBoolean()) { // a sane limit, so the decoder reads further
                junk[5] = 0;
                junk[6] = 0;
                junk[7] = 0;
                junk[8] = (byte) (1 + rnd.nextInt(100));
            }
            try {
                Request.decode(ByteBuffer.wrap(junk), ProtocolLimits.DEFAULT);
            } catch (ProtocolException expected) {
                assertTrue(expected.code() == ErrorCode.BAD_REQUEST || expected.code() == ErrorCode.TOO_LARGE);
            }
        }
    }

    /** The example of WIRE-PROTOCOL.md §10, byte for byte. */
    @Test
    void theDocumentedExampleIsWhatTheCodecWrites() {
        byte[] frame = Request.query(9, IndexQuery.eq("email", "a@x").limit(2).keysOnly(true)).encode();
        assertEquals("0000001e" + "16" + "00000009" + "00000002" + "00000005" + "656d61696c"
                + "01" + "00000003" + "614078" + "00" + "00" + "00" + "01", hex(frame));
        IndexPage page = new IndexPage(List.of(new IndexRow(Keys.utf8("u1"), "a@x", null)), "k");
        assertEquals("0000001d" + "00" + "00000009" + "00000001" + "00000002" + "7531" + "00000003" + "614078"
                + "00" + "01" + "00000001" + "6b", hex(Response.queryPage(9, page).encode()));
    }

    // ---- answers ----

    @Test
    void pageRoundTripsRowsRecordsAndCursor() {
        List<IndexRow> rows = List.of(
                new IndexRow(Keys.utf8("user:1"), "ada@example.org", Record.value(Keys.utf8("user:1"), Keys.utf8("{\"a\":1}"), V, 0)),
                new IndexRow(Keys.utf8("user:2"), "\u00e9l\u00e8ve", Record.value(Keys.utf8("user:2"), new byte[0], V, 1_800_000_000_000L)));
        IndexPage back = roundTrip(new IndexPage(rows, "next-after-user:2"));
        assertEquals(2, back.rows().size());
        assertEquals("next-after-user:2", back.cursor());
        IndexRow first = back.rows().get(0);
        assertArrayEquals(Keys.utf8("user:1"), first.key());
        assertEquals("ada@example.org", first.indexValue());
        assertArrayEquals(Keys.utf8("{\"a\":1}"), first.record().value());
        assertArrayEquals(Keys.utf8("user:1"), first.record().key(), "the record carries the row's key");
        assertEquals(V, first.record().version());
        assertEquals(0, first.record().expiresAt());
        IndexRow second = back.rows().get(1);
        assertEquals("\u00e9l\u00e8ve", second.indexValue());
        assertEquals(0, second.record().value().length);
        assertEquals(1_800_000_000_000L, second.record().expiresAt());
    }

    @Test
    void keysOnlyRowsAndTheLastPageRoundTrip() {
        IndexPage back = roundTrip(new IndexPage(List.of(new IndexRow(Keys.utf8("k"), "42", null)), null));
        assertNull(back.rows().get(0).record());
        assertEquals("42", back.rows().get(0).indexValue());
        assertFalse(back.hasMore());
        IndexPage empty = roundTrip(new IndexPage(List.of(), null));
        assertTrue(empty.rows().isEmpty());
        assertEquals("", roundTrip(new IndexPage(List.of(), "")).cursor(), "an empty cursor is still a cursor");
    }

    @Test
    void answerBytesIsTheEncodedSizeThatTheFrameLimitBounds() {
        String[] texts = {"", "plain", "\u00e9\u20ac\ud83d\ude00", "\ud800 lone high", "lone low \udc00", "end\ud800"};
        for (String text : texts) {
            List<IndexRow> rows = new ArrayList<>();
            rows.add(new IndexRow(Keys.utf8("key"), text, Record.value(Keys.utf8("key"), new byte[300], V, 7)));
            rows.add(new IndexRow(new byte[0], text, null));
            for (String cursor : new String[] {null, text}) {
                IndexPage page = new IndexPage(rows, cursor);
                byte[] frame = Response.queryPage(1, page).encode();
                assertEquals(frame.length - Frames.LENGTH_BYTES, Response.queryAnswerBytes(page), "'" + text + "', cursor " + cursor);
                long rowBytes = 0;
                for (IndexRow row : rows) {
                    rowBytes += Response.queryRowBytes(row);
                }
                int cursorBytes = cursor == null ? -1 : cursor.getBytes(StandardCharsets.UTF_8).length;
                assertEquals(Response.queryAnswerBytes(page), Response.queryAnswerOverhead(cursorBytes) + rowBytes);
            }
        }
    }

    @Test
    void malformedAnswersAreProtocolExceptions() {
        byte[] ok = Response.queryPage(4, new IndexPage(List.of(new IndexRow(Keys.utf8("k"), "v", null)), "c")).encode();
        for (int cut = 4 + Frames.HEADER_BYTES; cut < ok.length; cut++) {
            ByteBuffer b = ByteBuffer.wrap(ok, 4, cut - 4).slice();
            assertThrows(ProtocolException.class, () -> Response.decode(b, Opcode.QUERY), "cut at " + cut);
        }
        ByteBuffer tooMany = ByteBuffer.allocate(Frames.HEADER_BYTES + 4).put((byte) 0).putInt(4).putInt(IndexQuery.MAX_LIMIT + 1).flip();
        assertThrows(ProtocolException.class, () -> Response.decode(tooMany, Opcode.QUERY));
        byte[] badFlag = ok.clone();
        badFlag[4 + Frames.HEADER_BYTES + 4 + 4 + 1 + 4 + 1] = 2; // the row's hasRecord
        assertThrows(ProtocolException.class, () -> Response.decode(ByteBuffer.wrap(badFlag, 4, badFlag.length - 4).slice(), Opcode.QUERY));
    }

    @Test
    void errorsOfAQueryKeepTheirCode() {
        Response r = Response.decode(body(Response.error(3, ErrorCode.PARTIAL_RESULT, "segments 4, 9 unreachable").encode()), Opcode.QUERY);
        assertTrue(r.isError());
        assertEquals(ErrorCode.PARTIAL_RESULT, r.toException().code());
        assertTrue(r.toException().getMessage().contains("segments 4, 9"));
    }

    // ---- helpers ----

    private static ProtocolException refused(byte[] body) {
        return assertThrows(ProtocolException.class, () -> Request.decode(ByteBuffer.wrap(body), ProtocolLimits.DEFAULT));
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }

    /** A QUERY body (after the length prefix) written field by field, so a test can break any field. */
    private static final class QueryFrame {
        static final int ID = 31;
        private int limit = 10;
        private byte[] index = Keys.utf8("idx");
        private int eqFlag = -1;
        private byte[] eq;
        private byte[] from;
        private byte[] to;
        private byte[] after;
        private int keysOnly;

        QueryFrame limit(int l) {
            limit = l;
            return this;
        }

        QueryFrame index(String s) {
            return indexBytes(Keys.utf8(s));
        }

        QueryFrame indexBytes(byte[] b) {
            index = b;
            return this;
        }

        QueryFrame eq(String s) {
            return eqBytes(Keys.utf8(s));
        }

        QueryFrame eqBytes(byte[] b) {
            eq = b;
            return this;
        }

        /** An eq presence byte of this value, with no string after it. */
        QueryFrame eqFlag(int flag) {
            eqFlag = flag;
            return this;
        }

        QueryFrame from(String s) {
            from = Keys.utf8(s);
            return this;
        }

        QueryFrame to(String s) {
            to = Keys.utf8(s);
            return this;
        }

        QueryFrame after(String s) {
            after = Keys.utf8(s);
            return this;
        }

        QueryFrame keysOnly(int flag) {
            keysOnly = flag;
            return this;
        }

        byte[] bytes() {
            try {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(buf);
                out.writeByte(Opcode.QUERY.code());
                out.writeInt(ID);
                out.writeInt(limit);
                text(out, index);
                if (eqFlag >= 0) {
                    out.writeByte(eqFlag);
                } else {
                    optional(out, eq);
                }
                optional(out, from);
                optional(out, to);
                optional(out, after);
                out.writeByte(keysOnly);
                return buf.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void optional(DataOutputStream out, byte[] text) throws IOException {
            if (text == null) {
                out.writeByte(0);
            } else {
                out.writeByte(1);
                text(out, text);
            }
        }

        private static void text(DataOutputStream out, byte[] text) throws IOException {
            out.writeInt(text.length);
            out.write(text);
        }
    }
}

package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** QUERY through a real server on 127.0.0.1, answered by a test double of the Indexes service. */
class QueryTest extends ServerTestSupport {

    private static final Version V = Version.of(1_700_000_000_000L, 1, 2);
    private final InMemoryIndexesDouble indexes = new InMemoryIndexesDouble();

    private ServerComponent startWithIndexes(Map<String, Object> settings) {
        ServerComponent node = start(settings);
        node.indexes = indexes;
        return node;
    }

    private static IndexRow row(String key, String indexValue, byte[] value) {
        return new IndexRow(Keys.utf8(key), indexValue, Record.value(Keys.utf8(key), value, V, 0));
    }

    private static ErrorCode code(Response r) {
        return r.isError() ? r.toException().code() : null;
    }

    @Test
    void rowsRecordsAndCursorsTravelThroughARealSocket() throws Exception {
        indexes.put("email", List.of(row("user:1", "ada@x", Keys.utf8("{\"n\":1}")), row("user:2", "bob@x", Keys.utf8("{}")),
                row("user:3", "cy@x", Keys.utf8("[]"))));
        WireClient c = connect(startWithIndexes(settings()));

        IndexPage exact = c.call(Request.query(1, IndexQuery.eq("email", "bob@x"))).indexPage();
        assertEquals(1, exact.rows().size());
        assertArrayEquals(Keys.utf8("user:2"), exact.rows().get(0).key());
        assertArrayEquals(Keys.utf8("{}"), exact.rows().get(0).record().value());
        assertEquals(V, exact.rows().get(0).record().version());
        assertFalse(exact.hasMore());

        IndexPage first = c.call(Request.query(2, IndexQuery.range("email", "a", null).limit(2))).indexPage();
        assertEquals(List.of("ada@x", "bob@x"), first.rows().stream().map(IndexRow::indexValue).toList());
        assertNotNull(first.cursor());
        IndexPage rest = c.call(Request.query(3, IndexQuery.range("email", "a", null).limit(2).after(first.cursor()))).indexPage();
        assertEquals(List.of("cy@x"), rest.rows().stream().map(IndexRow::indexValue).toList());
        assertNull(rest.cursor());

        IndexPage keys = c.call(Request.query(4, IndexQuery.range("email", null, "b").keysOnly(true))).indexPage();
        assertEquals(1, keys.rows().size());
        assertNull(keys.rows().get(0).record(), "keys only: no record");
    }

    @Test
    void withoutTheIndexesServiceAQueryIsUnavailableAndTheConnectionStays() throws Exception {
        ServerComponent node = start();
        WireClient c = connect(node);
        Response r = c.call(Request.query(1, IndexQuery.eq("email", "a")));
        assertEquals(ErrorCode.UNAVAILABLE, code(r));
        assertTrue(r.toException().getMessage().contains("secondary indexes are not running on this node"));
        assertTrue(r.toException().isRetryable());

        indexes.put("email", List.of(row("k", "a", Keys.utf8("v"))));
        node.indexes = indexes; // the indexes bundle came back
        assertEquals(1, c.call(Request.query(2, IndexQuery.eq("email", "a"))).indexPage().rows().size());
    }

    @Test
    void typedErrorsOfTheServiceKeepTheirCodesAndOthersAreInternal() throws Exception {
        ServerComponent node = startWithIndexes(settings());
        WireClient c = connect(node);
        assertEquals(ErrorCode.BAD_REQUEST, code(c.call(Request.query(1, IndexQuery.eq("nope", "a")))), "unknown index");
        indexes.failure = new EarthwoException(ErrorCode.PARTIAL_RESULT, "no replica of segments 3, 7 answered");
        Response partial = c.call(Request.query(2, IndexQuery.eq("email", "a")));
        assertEquals(ErrorCode.PARTIAL_RESULT, code(partial));
        assertTrue(partial.toException().getMessage().contains("segments 3, 7"));
        indexes.failure = new IllegalStateException("simulated bug");
        Response bug = c.call(Request.query(3, IndexQuery.eq("email", "a")));
        assertEquals(ErrorCode.INTERNAL, code(bug));
        assertTrue(bug.toException().getMessage().contains("simulated bug"));
        assertEquals(0, c.call(Request.ping(4)).status(), "typed answers keep the connection");
        assertEquals(1, node.server().stats().errors(ErrorCode.PARTIAL_RESULT));
    }

    @Test
    void aQueryNeedsTheDataRoleWhenTheNodeHasASecret() throws Exception {
        indexes.put("email", List.of(row("k", "a", Keys.utf8("v"))));
        WireClient c = connect(startWithIndexes(settings("earthwo.secret", "s3cret")));
        assertEquals(ErrorCode.AUTH, code(c.call(Request.query(1, IndexQuery.eq("email", "a")))));
        assertTrue(indexes.asked.isEmpty(), "the service was not asked");
        assertEquals(0, c.call(Request.auth(2, Frames.ROLE_DATA, "s3cret")).status());
        assertEquals(1, c.call(Request.query(3, IndexQuery.eq("email", "a"))).indexPage().rows().size());
    }

    /** 300 rows of 1000-byte values do not fit into a 64 KiB frame: each page is asked again shorter. */
    @Test
    void aPageOverTheFrameLimitIsAskedAgainWithTheRowsThatFit() throws Exception {
        int frame = 64 * 1024;
        List<IndexRow> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            all.add(row(String.format("user:%03d", i), String.format("v%03d", i), new byte[1000]));
        }
        indexes.put("big", all);
        WireClient c = connect(startWithIndexes(settings("earthwo.max.value.bytes", "1024",
                "earthwo.server.max.frame.bytes", String.valueOf(frame))));

        IndexQuery q = IndexQuery.range("big", null, null).limit(300);
        IndexPage first = c.call(Request.query(1, q)).indexPage();
        int n = first.rows().size();
        assertTrue(n > 50 && n < 300, "a page cut to the frame, not " + n);
        assertTrue(Response.queryAnswerBytes(first) <= frame);
        assertEquals(InMemoryIndexesDouble.cursorAfter(all.get(n - 1)), first.cursor(), "the service's cursor after the last row sent");
        assertEquals(List.of(300, n), indexes.asked.stream().map(IndexQuery::limit).toList(), "asked again with the rows that fit");

        List<String> seen = new ArrayList<>(first.rows().stream().map(IndexRow::indexValue).toList());
        String cursor = first.cursor();
        for (int id = 2; cursor != null; id++) {
            IndexPage page = c.call(Request.query(id, q.after(cursor))).indexPage();
            page.rows().forEach(r -> seen.add(r.indexValue()));
            cursor = page.cursor();
        }
        assertEquals(all.stream().map(IndexRow::indexValue).toList(), seen, "every row once, in order");
    }

    @Test
    void aRowThatCannotFitIntoAFrameIsTooLargeAndTheConnectionStays() throws Exception {
        indexes.put("big", List.of(row("huge", "a", new byte[70 * 1024]), row("small", "b", new byte[10])));
        WireClient c = connect(startWithIndexes(settings("earthwo.max.value.bytes", "1024",
                "earthwo.server.max.frame.bytes", String.valueOf(64 * 1024))));
        assertEquals(ErrorCode.TOO_LARGE, code(c.call(Request.query(1, IndexQuery.range("big", null, null)))));
        IndexPage past = c.call(Request.query(2, IndexQuery.range("big", "b", null))).indexPage();
        assertEquals(1, past.rows().size());
    }

    @Test
    void malformedQueryFramesCloseTheConnectionAsOtherOpcodesDo() throws Exception {
        ServerComponent node = startWithIndexes(settings());
        WireClient bad = connect(node);
        byte[] frame = Request.query(5, IndexQuery.eq("email", "a")).encode();
        frame[frame.length - 1] = 9; // keysOnly must be 0 or 1
        bad.sendRawExpecting(Request.query(5, IndexQuery.eq("email", "a")), frame);
        assertEquals(ErrorCode.BAD_REQUEST, code(bad.read()));
        assertTrue(bad.closedByServer());
        assertTrue(indexes.asked.isEmpty());
    }
}

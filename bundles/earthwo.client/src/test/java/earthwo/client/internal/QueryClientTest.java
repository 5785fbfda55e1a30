package earthwo.client.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory.Config;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.api.protocol.Opcode;
import earthwo.client.EarthwoClients;
import earthwo.client.testing.FakeNodeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static earthwo.api.Keys.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Index queries from the client through real sockets to fake nodes: paging, routing and failover. */
class QueryClientTest {

    private static final Version V = new Version(42, 1);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private FakeNodeServer server(int id) throws Exception {
        FakeNodeServer s = new FakeNodeServer(id);
        toClose.add(s);
        return s;
    }

    private KvClient client(Config config) {
        KvClient c = EarthwoClients.connect(config);
        toClose.add(0, c);
        return c;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        RoutingKvClientTest.assertNoClientThreads();
    }

    private static IndexRow row(String key, String indexValue, String value) {
        return new IndexRow(utf8(key), indexValue, Record.value(utf8(key), utf8(value), V, 0));
    }

    private static List<IndexRow> emails() {
        return List.of(row("user:3", "cy@x", "{\"id\":3}"), row("user:1", "ada@x", "{\"id\":1}"),
                row("user:2", "bob@x", "{\"id\":2}"), row("user:4", "bob@x", "{\"id\":4}"));
    }

    /** Two nodes, each holding every segment, each named in the map both of them hand out. */
    private static void shareOneMap(FakeNodeServer a, FakeNodeServer b) {
        List<List<Integer>> replicas = new ArrayList<>();
        for (int s = 0; s < 16; s++) {
            replicas.add(List.of(a.nodeId, b.nodeId));
        }
        SegmentMap map = new SegmentMap(1, 2, replicas, Map.of(a.nodeId, new NodeInfo(a.nodeId, "127.0.0.1", a.port()),
                b.nodeId, new NodeInfo(b.nodeId, "127.0.0.1", b.port())));
        a.map = map;
        b.map = map;
    }

    @Test
    void exactMatchRangeAndKeysOnlyPagesArriveWhole() throws Exception {
        FakeNodeServer s = server(1);
        s.indexRows.put("email", emails());
        KvClient c = client(Config.seeds(s.address()));

        IndexPage bobs = c.query(IndexQuery.eq("email", "bob@x"));
        assertEquals(List.of("user:2", "user:4"), keys(bobs));
        assertArrayEquals(utf8("{\"id\":2}"), bobs.rows().get(0).record().value());
        assertEquals(V, bobs.rows().get(0).record().version());
        assertFalse(bobs.hasMore());

        IndexPage keysOnly = c.queryAsync(IndexQuery.range("email", "b", null).keysOnly(true))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(List.of("user:2", "user:4", "user:3"), keys(keysOnly));
        assertNull(keysOnly.rows().get(0).record());
        assertEquals("bob@x", keysOnly.rows().get(0).indexValue());
        assertEquals(Opcode.QUERY, s.lastDataRequest.opcode());
        assertTrue(s.lastDataRequest.query().keysOnly(), "keys-only travels to the node");
    }

    @Test
    void aCursorContinuesTheQueryUntilItHasNoMoreRows() throws Exception {
        FakeNodeServer s = server(1);
        s.indexRows.put("email", emails());
        KvClient c = client(Config.seeds(s.address()));
        IndexQuery q = IndexQuery.range("email", null, null).limit(3);
        IndexPage first = c.query(q);
        assertEquals(List.of("user:1", "user:2", "user:4"), keys(first));
        assertTrue(first.hasMore());
        IndexPage second = c.query(q.after(first.cursor()));
        assertEquals(List.of("user:3"), keys(second));
        assertFalse(second.hasMore());
    }

    @Test
    void aNodeWithoutIndexesHandsTheQueryToAnotherNode() throws Exception {
        FakeNodeServer a = server(1);
        FakeNodeServer b = server(2);
        shareOneMap(a, b);
        a.indexesRunning = false;
        b.indexRows.put("email", emails());
        KvClient c = client(Config.seeds(a.address()));
        assertEquals(List.of("user:2", "user:4"), keys(c.query(IndexQuery.eq("email", "bob@x"))));
        assertEquals(1, a.queries.get(), "asked the home node first");
        assertEquals(1, b.queries.get());
    }

    @Test
    void aDeadHomeNodeHandsTheQueryToAnotherNode() throws Exception {
        FakeNodeServer a = server(1);
        FakeNodeServer b = server(2);
        shareOneMap(a, b);
        b.indexRows.put("email", emails());
        KvClient c = client(Config.seeds(a.address()).withRequestTimeout(Duration.ofSeconds(3)));
        a.kill();
        assertEquals(List.of("user:1"), keys(c.query(IndexQuery.eq("email", "ada@x"))));
    }

    @Test
    void typedErrorsSurfaceAndAreNotRetried() throws Exception {
        FakeNodeServer a = server(1);
        FakeNodeServer b = server(2);
        shareOneMap(a, b);
        KvClient c = client(Config.seeds(a.address()));
        EarthwoException unknown = assertThrows(EarthwoException.class, () -> c.query(IndexQuery.eq("nope", "x")));
        assertEquals(ErrorCode.BAD_REQUEST, unknown.code());
        a.queryError = new EarthwoException(ErrorCode.PARTIAL_RESULT, "no replica of segments 3, 9 answered");
        EarthwoException partial = assertThrows(EarthwoException.class, () -> c.query(IndexQuery.eq("email", "x")));
        assertEquals(ErrorCode.PARTIAL_RESULT, partial.code());
        assertTrue(partial.getMessage().contains("segments 3, 9"));
        assertEquals(2, a.queries.get());
        assertEquals(0, b.queries.get(), "a typed answer is final: no other node is asked");
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> c.queryAsync(null)).code());
    }

    @Test
    void aQueryNeedsTheSecretWhenTheNodeHasOne() throws Exception {
        FakeNodeServer s = server(1);
        s.secret = "s3cret";
        s.indexRows.put("email", emails());
        KvClient c = client(Config.seeds(s.address()).withSecret("s3cret"));
        assertEquals(2, c.query(IndexQuery.eq("email", "bob@x")).rows().size());
    }

    private static List<String> keys(IndexPage page) {
        return page.rows().stream().map(r -> Keys.string(r.key())).toList();
    }
}

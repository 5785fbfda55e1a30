package earthwo.server.internal;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.WriteConcern;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.cluster.TestClusterView;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerRoundTripTest extends ServerTestSupport {

    @Test
    void putGetDeleteScanRoundTrip() throws Exception {
        WireClient c = connect(start());
        assertEquals(0, c.call(Request.ping(1)).status());

        Response put = c.call(Request.put(2, Keys.utf8("user:1"), Keys.utf8("alice"), 0, WriteConcern.DEFAULT));
        assertFalse(put.isError());
        assertTrue(put.version().timestamp() > 0);
        c.call(Request.put(3, Keys.utf8("user:2"), Keys.utf8("bob"), 0, WriteConcern.ONE));
        c.call(Request.put(4, Keys.utf8("other"), Keys.utf8("x"), 0, WriteConcern.ALL));

        Response get = c.call(Request.get(5, Keys.utf8("user:1")));
        assertArrayEquals(Keys.utf8("alice"), get.record().value());
        assertEquals(put.version(), get.record().version());
        assertTrue(c.call(Request.get(6, Keys.utf8("absent"))).isNotFound());

        Response page = c.call(Request.scan(7, Keys.utf8("user:"), null, 1));
        assertEquals(1, page.scanPage().records().size());
        assertArrayEquals(Keys.utf8("user:1"), page.scanPage().continuation());
        Response rest = c.call(Request.scan(8, Keys.utf8("user:"), page.scanPage().continuation(), 10));
        assertEquals(1, rest.scanPage().records().size());
        assertArrayEquals(Keys.utf8("user:2"), rest.scanPage().records().get(0).key());
        assertNull(rest.scanPage().continuation());

        assertTrue(c.call(Request.delete(9, Keys.utf8("user:1"), WriteConcern.DEFAULT)).existed());
        assertFalse(c.call(Request.delete(10, Keys.utf8("user:1"), WriteConcern.DEFAULT)).existed());
        assertTrue(c.call(Request.get(11, Keys.utf8("user:1"))).isNotFound());
    }

    @Test
    void statusIsTheUnionOfEverySourceIncludingTheServer() throws Exception {
        WireClient c = connect(start());
        c.call(Request.ping(1));
        Map<String, String> status = c.call(Request.status(2)).statusMap();
        assertEquals("42", status.get("fake.answer"));
        assertEquals("1", status.get("server.connections.open"));
        assertTrue(status.get("server.endpoint").startsWith("127.0.0.1:"));
        assertTrue(Long.parseLong(status.get("server.bytes.in")) > 0);
        assertEquals("0", status.get("server.errors.INTERNAL"));
    }

    @Test
    void mapIsUnavailableWithoutTheClusterViewAndServedWithIt() throws Exception {
        ServerComponent node = start();
        WireClient c = connect(node);
        Response none = c.call(Request.map(1));
        assertEquals(ErrorCode.UNAVAILABLE, none.toException().code());

        SegmentMap map = new SegmentMap(7, 1, List.of(List.of(1), List.of(1)), Map.of(1, new NodeInfo(1, "127.0.0.1", 7380)));
        node.cluster = new TestClusterView(1, map);
        SegmentMap back = c.call(Request.map(2)).segmentMap();
        assertEquals(7, back.epoch());
        assertEquals(2, back.segmentCount());
    }

    @Test
    void kvAbsentIsUnavailableAndTheConnectionStaysUsable() throws Exception {
        ServerComponent node = start();
        node.kv = null;
        WireClient c = connect(node);
        assertEquals(ErrorCode.UNAVAILABLE, c.call(Request.get(1, Keys.utf8("k"))).toException().code());
        assertEquals(ErrorCode.UNAVAILABLE, c.call(Request.put(2, Keys.utf8("k"), Keys.utf8("v"), 0, WriteConcern.DEFAULT)).toException().code());
        assertEquals(ErrorCode.UNAVAILABLE, c.call(Request.delete(3, Keys.utf8("k"), WriteConcern.DEFAULT)).toException().code());
        assertEquals(ErrorCode.UNAVAILABLE, c.call(Request.scan(4, new byte[0], null, 10)).toException().code());
        node.kv = kv; // the replication bundle is back
        assertFalse(c.call(Request.put(5, Keys.utf8("k"), Keys.utf8("v"), 0, WriteConcern.DEFAULT)).isError());
        assertArrayEquals(Keys.utf8("v"), c.call(Request.get(6, Keys.utf8("k"))).record().value());
    }

    @Test
    void unexpectedExceptionIsInternalAndTheNodeKeepsServing() throws Exception {
        ServerComponent node = start();
        WireClient c = connect(node);
        Response r = c.call(Request.get(1, InMemoryKvDouble.BOOM));
        assertEquals(ErrorCode.INTERNAL, r.toException().code());
        assertTrue(r.toException().getMessage().contains("simulated bug"));
        assertEquals(0, c.call(Request.ping(2)).status());
        assertEquals(1, node.server().stats().errors(ErrorCode.INTERNAL));
    }

    @Test
    void offloadedDataRequestsWorkToo() throws Exception {
        WireClient c = connect(start(settings("earthwo.server.offload.data", "true")));
        c.call(Request.put(1, Keys.utf8("a"), Keys.utf8("1"), 0, WriteConcern.DEFAULT));
        assertArrayEquals(Keys.utf8("1"), c.call(Request.get(2, Keys.utf8("a"))).record().value());
        assertTrue(c.call(Request.delete(3, Keys.utf8("a"), WriteConcern.DEFAULT)).existed());
    }
}

package earthwo.api.protocol;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtocolRoundTripTest {

    private static ByteBuffer body(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        assertEquals(frame.length - 4, b.getInt(), "length prefix counts the bytes after it");
        return b.slice();
    }

    private static Request roundTrip(Request r) {
        return Request.decode(body(r.encode()), ProtocolLimits.DEFAULT);
    }

    @Test
    void putRoundTripsEveryField() {
        Request in = Request.put(42, Keys.utf8("k"), Keys.utf8("value"), 1234L, WriteConcern.ALL);
        Request out = roundTrip(in);
        assertEquals(Opcode.PUT, out.opcode());
        assertEquals(42, out.id());
        assertArrayEquals(Keys.utf8("k"), out.key());
        assertArrayEquals(Keys.utf8("value"), out.value());
        assertEquals(1234L, out.expiresAt());
        assertEquals(WriteConcern.ALL, out.concern());
    }

    /** Frames are built in a buffer sized by a guess: answers far larger than it must still come out whole. */
    @Test
    void anAnswerManyTimesItsSizeGuessRoundTripsWhole() {
        Version v = new Version(77L, 3);
        List<Record> records = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            records.add(Record.value(Keys.utf8("key" + i), new byte[1000 + i], v, i));
        }
        Response out = Response.decode(body(Response.scan(5, new ScanPage(records, null)).encode()), Opcode.SCAN);
        assertEquals(100, out.scanPage().records().size());
        assertEquals(1099, out.scanPage().records().get(99).value().length);
        assertEquals(99L, out.scanPage().records().get(99).expiresAt());
        String longMessage = "x".repeat(5000);
        Response err = Response.decode(body(Response.error(6, ErrorCode.BAD_REQUEST, longMessage).encode()), Opcode.GET);
        assertEquals(ErrorCode.BAD_REQUEST, err.toException().code());
        assertTrue(err.toException().getMessage().endsWith(longMessage), "the whole message arrives");
    }

    @Test
    void scanRoundTripsWithAndWithoutContinuation() {
        Request a = roundTrip(Request.scan(1, Keys.utf8("p"), null, 10));
        assertNull(a.startAfter());
        Request b = roundTrip(Request.scan(2, new byte[0], Keys.utf8("p5"), 10));
        assertArrayEquals(Keys.utf8("p5"), b.startAfter());
        assertEquals(0, b.key().length);
    }

    @Test
    void peerMessagesCarryAnOpaquePayloadBothWays() {
        Request out = roundTrip(Request.peer(8, new byte[]{1, 2, 3}).withId(9));
        assertEquals(Opcode.PEER, out.opcode());
        assertEquals(9, out.id());
        assertArrayEquals(new byte[]{1, 2, 3}, out.value());
        Response back = Response.decode(body(Response.peer(9, new byte[]{4, 5}).encode()), Opcode.PEER);
        assertArrayEquals(new byte[]{4, 5}, back.peerPayload());
        assertThrows(ProtocolException.class, () -> roundTrip(Request.peer(1, new byte[0])));
    }

    @Test
    void unknownOpcodeIsBadRequestWithItsId() {
        ByteBuffer b = ByteBuffer.allocate(5).put((byte) 0x7f).putInt(9).flip();
        ProtocolException e = assertThrows(ProtocolException.class, () -> Request.decode(b, ProtocolLimits.DEFAULT));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertEquals(9, e.requestId());
    }

    @Test
    void oversizeKeyIsTooLarge() {
        byte[] frame = Request.get(3, new byte[2000]).encode();
        ProtocolException e = assertThrows(ProtocolException.class, () -> Request.decode(body(frame), ProtocolLimits.DEFAULT));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals(3, e.requestId());
    }

    @Test
    void truncatedFramesAreBadRequests() {
        byte[] frame = Request.put(5, Keys.utf8("key"), Keys.utf8("value"), 0, WriteConcern.ONE).encode();
        for (int cut = 4; cut < frame.length; cut++) {
            ByteBuffer b = ByteBuffer.wrap(frame, 4, cut - 4).slice();
            ProtocolException e = assertThrows(ProtocolException.class, () -> Request.decode(b, ProtocolLimits.DEFAULT));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
        }
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButProtocolException() {
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[rnd.nextInt(64)];
            rnd.nextBytes(junk);
            try {
                Request.decode(ByteBuffer.wrap(junk), ProtocolLimits.DEFAULT);
            } catch (ProtocolException expected) {
                assertTrue(expected.code() == ErrorCode.BAD_REQUEST || expected.code() == ErrorCode.TOO_LARGE);
            }
        }
    }

    @Test
    void responsesRoundTrip() {
        Version v = Version.of(1_700_000_000_000L, 3, 17);
        Response get = Response.decode(body(Response.record(1, Record.value(Keys.utf8("k"), Keys.utf8("v"), v, 99)).encode()), Opcode.GET);
        assertEquals(v, get.record().version());
        assertArrayEquals(Keys.utf8("v"), get.record().value());
        assertEquals(99, get.record().expiresAt());

        Response nf = Response.decode(body(Response.notFound(2).encode()), Opcode.GET);
        assertTrue(nf.isNotFound());

        ScanPage page = new ScanPage(List.of(Record.value(Keys.utf8("a"), Keys.utf8("1"), v, 0)), Keys.utf8("a"));
        Response scan = Response.decode(body(Response.scan(3, page).encode()), Opcode.SCAN);
        assertEquals(1, scan.scanPage().records().size());
        assertArrayEquals(Keys.utf8("a"), scan.scanPage().continuation());

        SegmentMap map = new SegmentMap(7, 3, List.of(List.of(1, 2), List.of(2, 1)), Map.of(1, new NodeInfo(1, "127.0.0.1", 7380), 2, new NodeInfo(2, "127.0.0.1", 7381)));
        SegmentMap back = Response.decode(body(Response.map(4, map).encode()), Opcode.MAP).segmentMap();
        assertEquals(7, back.epoch());
        assertEquals(List.of(2, 1), back.replicas(1));
        assertEquals(7381, back.nodes().get(2).port());
        assertTrue(back.allSyncing().isEmpty());
        SegmentMap moving = new SegmentMap(8, 3, List.of(List.of(1, 2), List.of(2, 1)), map.nodes(),
                Map.of(1, java.util.Set.of(1)));
        SegmentMap movingBack = Response.decode(body(Response.map(4, moving).encode()), Opcode.MAP).segmentMap();
        assertTrue(movingBack.isSyncing(1, 1), "syncing replicas travel with the map");
        assertEquals(List.of(2), movingBack.servingReplicas(1));
        assertTrue(movingBack.isServing(0, 1));

        Response err = Response.decode(body(Response.error(5, ErrorCode.UNAVAILABLE, "storage restarting").encode()), Opcode.PUT);
        assertTrue(err.isError());
        assertEquals(ErrorCode.UNAVAILABLE, err.toException().code());
        assertTrue(err.toException().getMessage().contains("storage restarting"));

        Response st = Response.decode(body(Response.status(6, Map.of("storage.records", "10")).encode()), Opcode.STATUS);
        assertEquals("10", st.statusMap().get("storage.records"));

        Response ex = Response.decode(body(Response.exec(7, false, "no such command").encode()), Opcode.EXEC);
        assertEquals("no such command", ex.execResult().output());
    }
}

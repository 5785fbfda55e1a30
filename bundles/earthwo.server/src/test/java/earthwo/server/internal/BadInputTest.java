package earthwo.server.internal;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.WriteConcern;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each kind of bad input gets a typed error or a closed connection; a good client is served throughout. */
class BadInputTest extends ServerTestSupport {

    private ServerComponent node;
    private WireClient good;
    private int goodIds;

    @BeforeEach
    void startNode() throws Exception {
        node = start();
        good = connect(node);
        assertGoodClientServed();
    }

    private void assertGoodClientServed() throws Exception {
        int id = ++goodIds;
        byte[] v = Keys.utf8("v" + id);
        good.call(Request.put(id, Keys.utf8("good"), v, 0, WriteConcern.DEFAULT));
        assertArrayEquals(v, good.call(Request.get(id, Keys.utf8("good"))).record().value());
    }

    private static ErrorCode code(Response r) {
        return r.toException().code();
    }

    @Test
    void randomBytesCloseTheConnection() throws Exception {
        Random rnd = new Random(42);
        for (int round = 0; round < 20; round++) {
            WireClient bad = connect(node);
            byte[] junk = new byte[1 + rnd.nextInt(4096)];
            rnd.nextBytes(junk);
            bad.sendRaw(junk);
            bad.socket.shutdownOutput();
            assertTrue(bad.closedByServer(), "round " + round);
            assertGoodClientServed();
        }
    }

    @Test
    void aFrameLeftHalfSentIsBadRequestThenClosedAfterTheStallTimeout() throws Exception {
        ServerComponent strict = start(settings(ServerSettings.FRAME_STALL_TIMEOUT, "300"));
        WireClient stalled = connect(strict);
        long start = System.nanoTime();
        stalled.sendRaw(ByteBuffer.allocate(14).putInt(100).put((byte) 0x10).putInt(9).put(new byte[5]).array());
        Response r = stalled.read();
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorCode.BAD_REQUEST, code(r));
        assertEquals(-1, r.id());
        assertTrue(r.toException().getMessage().contains("incomplete frame"), r.toException().getMessage());
        assertTrue(waitedMs >= 300, "closed after " + waitedMs + " ms, before the 300 ms timeout");
        assertTrue(stalled.closedByServer());
        WireClient other = connect(strict);
        assertTrue(!other.call(Request.ping(1)).isError(), "the node serves new connections after closing a stalled one");
        assertGoodClientServed();
    }

    @Test
    void aFrameTrickledInSlowerInTotalThanTheStallTimeoutIsServed() throws Exception {
        ServerComponent strict = start(settings(ServerSettings.FRAME_STALL_TIMEOUT, "300"));
        WireClient slow = connect(strict);
        Request request = Request.put(7, Keys.utf8("slow"), new byte[40], 0, WriteConcern.DEFAULT);
        byte[] put = request.encode();
        // 8 pieces 100 ms apart, sent by a scheduler: 700 ms for the frame, never 300 ms without a byte.
        int piece = (put.length + 7) / 8;
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        try {
            long start = System.nanoTime();
            List<ScheduledFuture<?>> sends = new ArrayList<>();
            for (int i = 0, from = 0; from < put.length; i++, from += piece) {
                byte[] bytes = Arrays.copyOfRange(put, from, Math.min(put.length, from + piece));
                sends.add(pacer.schedule(() -> {
                    slow.sendRawExpecting(request, bytes);
                    return null;
                }, 100L * i, TimeUnit.MILLISECONDS));
            }
            Response r = slow.read(); // blocks until the whole frame arrived and was answered
            assertTrue((System.nanoTime() - start) / 1_000_000 >= 600, "answered before the last piece was sent");
            for (ScheduledFuture<?> send : sends) {
                send.get();
            }
            assertTrue(!r.isError(), String.valueOf(r));
            assertEquals(7, r.id());
        } finally {
            pacer.shutdownNow();
        }
        assertTrue(!slow.call(Request.ping(8)).isError(), "the connection stays open");
    }

    @Test
    void aBadStallTimeoutIsRefusedNamingTheSetting() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.resolve(settings(ServerSettings.FRAME_STALL_TIMEOUT, "-1"), k -> null));
        assertTrue(e.getMessage().contains(ServerSettings.FRAME_STALL_TIMEOUT), e.getMessage());
    }

    @Test
    void lengthBelowHeaderIsBadRequestThenClose() throws Exception {
        WireClient bad = connect(node);
        bad.sendRaw(new byte[]{0, 0, 0, 3, 1, 2, 3});
        Response r = bad.read();
        assertEquals(ErrorCode.BAD_REQUEST, code(r));
        assertEquals(-1, r.id());
        assertTrue(bad.closedByServer());
        assertGoodClientServed();
    }

    @Test
    void oversizeLengthIsTooLargeThenCloseWithoutWaitingForTheBytes() throws Exception {
        WireClient bad = connect(node);
        bad.sendRaw(ByteBuffer.allocate(9).putInt(Integer.MAX_VALUE).put((byte) 0x10).putInt(5).array());
        Response r = bad.read();
        assertEquals(ErrorCode.TOO_LARGE, code(r));
        assertEquals(-1, r.id());
        assertTrue(bad.closedByServer());
        WireClient negative = connect(node);
        negative.sendRaw(ByteBuffer.allocate(4).putInt(-7).array());
        assertEquals(ErrorCode.BAD_REQUEST, code(negative.read()));
        assertTrue(negative.closedByServer());
        assertGoodClientServed();
    }

    @Test
    void truncatedFrameIsDroppedWhenTheClientGoes() throws Exception {
        WireClient bad = connect(node);
        byte[] frame = Request.put(1, Keys.utf8("k"), new byte[1000], 0, WriteConcern.DEFAULT).encode();
        bad.sendRaw(Arrays.copyOf(frame, 500));
        bad.socket.shutdownOutput();
        assertTrue(bad.closedByServer());
        assertGoodClientServed();
    }

    @Test
    void bodyShorterThanItsFieldsIsBadRequestWithItsIdThenClose() throws Exception {
        WireClient bad = connect(node);
        // GET id 77 whose key claims 100 bytes inside a 12-byte frame
        bad.sendRaw(ByteBuffer.allocate(16).putInt(12).put((byte) 0x10).putInt(77).putInt(100).put(new byte[3]).array());
        Response r = bad.read();
        assertEquals(ErrorCode.BAD_REQUEST, code(r));
        assertEquals(77, r.id());
        assertTrue(bad.closedByServer());
        assertGoodClientServed();
    }

    @Test
    void unknownOpcodeIsBadRequestThenClose() throws Exception {
        WireClient bad = connect(node);
        bad.sendRaw(ByteBuffer.allocate(9).putInt(5).put((byte) 0x7f).putInt(9).array());
        Response r = bad.read();
        assertEquals(ErrorCode.BAD_REQUEST, code(r));
        assertEquals(9, r.id());
        assertTrue(bad.closedByServer());
        assertGoodClientServed();
    }

    @Test
    void hugeKeyAndValueAreTooLargeAndTheConnectionStays() throws Exception {
        WireClient c = connect(node);
        Response key = c.call(Request.get(1, new byte[2000]));
        assertEquals(ErrorCode.TOO_LARGE, code(key));
        assertEquals(1, key.id());
        Response value = c.call(Request.put(2, Keys.utf8("k"), new byte[2 * 1024 * 1024], 0, WriteConcern.DEFAULT));
        assertEquals(ErrorCode.TOO_LARGE, code(value));
        assertEquals(2, value.id());
        // the stream is still in sync: the same connection keeps working
        assertEquals(0, c.call(Request.ping(3)).status());
        assertGoodClientServed();
        assertEquals(2, node.server().stats().errors(ErrorCode.TOO_LARGE));
    }

    @Test
    void requestsBeforeAFatalFrameAreStillAnswered() throws Exception {
        WireClient c = connect(node);
        c.send(Request.put(1, Keys.utf8("a"), Keys.utf8("1"), 0, WriteConcern.DEFAULT));
        c.send(Request.get(2, Keys.utf8("a")));
        c.flush();
        c.sendRaw(new byte[]{0, 0, 0, 1, 0});
        assertEquals(1, c.read().id());
        assertEquals(2, c.read().id());
        assertEquals(ErrorCode.BAD_REQUEST, code(c.read()));
        assertTrue(c.closedByServer());
    }
}

package earthwo.it;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.WriteConcern;
import earthwo.api.protocol.Opcode;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input: every kind of broken or abusive client gets a typed error or a closed
 * connection, and the node stays up, keeps its data and keeps serving a well-behaved client.
 * Runs against the real node process from the distribution.
 */
class BadInputTest {

    /** A limit the test can exceed quickly; the default is 4096. */
    private static final int MAX_CONNECTIONS = 500;
    /** Shorter than the default 30 s, so that the test need not wait that long. */
    private static final int STALL_TIMEOUT_MS = 1_500;

    @TempDir
    static Path data;

    private static NodeProcess node;
    private static RawConnection healthy;

    @BeforeAll
    static void startNode() throws Exception {
        node = new NodeProcess(data).start("-Dearthwo.server.max.connections=" + MAX_CONNECTIONS,
                "-Dearthwo.server.frame.stall.timeout.ms=" + STALL_TIMEOUT_MS);
        healthy = new RawConnection(node.address());
        Response r = healthy.call(Request.put(1, Keys.utf8("canary"), Keys.utf8("alive"), 0, WriteConcern.DEFAULT));
        assertTrue(!r.isError(), String.valueOf(r));
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (healthy != null) {
            healthy.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /** After every abuse: the node process lives and the healthy connection still reads the canary. */
    @AfterEach
    void nodeStillServes() throws Exception {
        assertTrue(node.isAlive(), "node process died; log:\n" + node.logTail());
        Response r = healthy.call(Request.get(2, Keys.utf8("canary")));
        assertArrayEquals(Keys.utf8("alive"), r.record().value());
    }

    private static byte[] frame(int declaredLength, byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(declaredLength).put(body).array();
    }

    @Test
    void unknownOpcodeGetsBadRequestThenClose() throws Exception {
        try (RawConnection c = new RawConnection(node.address())) {
            byte[] body = ByteBuffer.allocate(5).put((byte) 0x7e).putInt(77).array();
            c.send(frame(5, body));
            Response r = c.read(Opcode.PING);
            assertEquals(ErrorCode.BAD_REQUEST, r.toException().code());
            assertEquals(77, r.id());
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void oversizeDeclaredLengthGetsTooLargeThenClose() throws Exception {
        try (RawConnection c = new RawConnection(node.address())) {
            c.send(frame(Integer.MAX_VALUE, new byte[]{0x10, 0, 0, 0, 1}));
            Response r = c.read(Opcode.PING);
            assertEquals(ErrorCode.TOO_LARGE, r.toException().code());
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void negativeAndTinyLengthsAreRejected() throws Exception {
        for (int len : new int[]{-1, 0, 3}) {
            try (RawConnection c = new RawConnection(node.address())) {
                c.send(frame(len, new byte[8]));
                Response r = c.read(Opcode.PING);
                assertEquals(ErrorCode.BAD_REQUEST, r.toException().code(), "length " + len);
                assertTrue(c.closedByPeer());
            }
        }
    }

    @Test
    void truncatedPayloadInsideAFrameIsBadRequest() throws Exception {
        try (RawConnection c = new RawConnection(node.address())) {
            byte[] put = Request.put(5, Keys.utf8("key"), Keys.utf8("value"), 0, WriteConcern.ONE).encode();
            // Declare a frame that ends in the middle of the value.
            byte[] cut = ByteBuffer.allocate(put.length - 3).putInt(put.length - 7)
                    .put(put, 4, put.length - 7).array();
            c.send(cut);
            Response r = c.read(Opcode.PUT);
            assertEquals(ErrorCode.BAD_REQUEST, r.toException().code());
            assertEquals(5, r.id());
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void halfAFrameThenHangUpLeavesTheNodeFine() throws Exception {
        try (RawConnection c = new RawConnection(node.address())) {
            c.send(frame(1000, new byte[]{0x11, 0, 0, 0, 9, 1, 2, 3}));
        }
    }

    @Test
    void halfAFrameThenSilenceIsBadRequestAndClosedAfterTheStallTimeout() throws Exception {
        try (RawConnection c = new RawConnection(node.address())) {
            long start = System.nanoTime();
            c.send(frame(1000, new byte[]{0x11, 0, 0, 0, 9, 1, 2, 3}));
            Response r = c.read(Opcode.PING);
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(ErrorCode.BAD_REQUEST, r.toException().code());
            assertEquals(-1, r.id());
            assertTrue(waitedMs >= STALL_TIMEOUT_MS, "answered after " + waitedMs + " ms");
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void hugeKeyAndValueGetTooLargeAndTheConnectionStaysUsable() throws Exception {
        try (RawConnection c = new RawConnection(node.address())) {
            Response k = c.call(Request.put(10, new byte[4096], Keys.utf8("v"), 0, WriteConcern.DEFAULT));
            assertEquals(ErrorCode.TOO_LARGE, k.toException().code());
            Response v = c.call(Request.put(11, Keys.utf8("big"), new byte[2 * 1024 * 1024], 0, WriteConcern.DEFAULT));
            assertEquals(ErrorCode.TOO_LARGE, v.toException().code());
            Response ping = c.call(Request.ping(12));
            assertTrue(!ping.isError());
            assertTrue(c.call(Request.get(13, Keys.utf8("big"))).isNotFound(), "an oversize value must not be stored");
        }
    }

    @Test
    void randomBytesNeverTakeTheNodeDown() throws Exception {
        Random rnd = new Random(42);
        for (int i = 0; i < 200; i++) {
            try (RawConnection c = new RawConnection(node.address())) {
                byte[] junk = new byte[1 + rnd.nextInt(512)];
                rnd.nextBytes(junk);
                c.send(junk);
            } catch (IOException ignored) {
                // the node may close on us mid-write; that is an acceptable answer
            }
        }
    }

    @Test
    void thousandsOfConnectionsGetBusyOverTheLimitAndTheNodeKeepsServing() throws Exception {
        List<RawConnection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < 3000; i++) {
                connections.add(new RawConnection(node.address()));
            }
            // Connections over the limit are told BUSY and closed; those under it are served.
            RawConnection over = connections.get(connections.size() - 1);
            Response busy = over.read(Opcode.PING);
            assertEquals(ErrorCode.BUSY, busy.toException().code());
            assertTrue(over.closedByPeer());
            RawConnection under = connections.get(0);
            assertTrue(!under.call(Request.ping(1)).isError());
        } finally {
            for (RawConnection c : connections) {
                c.close();
            }
        }
        // Once they are gone, new connections are accepted again (the count drops as the node
        // notices the closes, so poll).
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (RawConnection c = new RawConnection(node.address())) {
                Response r = c.call(Request.ping(2));
                if (!r.isError()) {
                    break;
                }
                assertEquals(ErrorCode.BUSY, r.toException().code());
            }
            assertTrue(System.nanoTime() < deadline, "node still refuses connections after the flood closed");
            Thread.sleep(50);
        }
    }
}

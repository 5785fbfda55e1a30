package earthwo.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Segments;
import earthwo.api.WriteConcern;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers are not clients: the replica APPLY frame of WIRE-PROTOCOL.md §12 writes a record with
 * whatever version it carries, so a data client that could send it would corrupt keys for good
 * (a version of 0xffffffffffffffff makes every later write of the key fail). Only a connection
 * that presents the cluster secret may send PEER frames.
 */
class PeerRoleTest {

    @TempDir
    static Path data;

    private static NodeProcess node;

    @BeforeAll
    static void startNode() throws Exception {
        node = new NodeProcess(data).start();
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aDataClientCannotApplyAReplicaWriteAndIsDisconnected() throws Exception {
        byte[] key = Keys.utf8("peer-role:victim");
        try (RawConnection attacker = new RawConnection(node.address())) {
            Response r = attacker.call(Request.peer(1, apply(key, 0xffffffffffffffffL)));
            assertEquals(ErrorCode.AUTH, r.toException().code(), String.valueOf(r));
            assertTrue(r.toException().getMessage().contains("peer role"), r.toException().getMessage());
            assertTrue(attacker.closedByPeer(), "the connection is closed after a PEER frame without the peer role");
        }
        try (RawConnection client = new RawConnection(node.address())) {
            Response put = client.call(Request.put(1, key, Keys.utf8("fine"), 0, WriteConcern.DEFAULT));
            assertTrue(!put.isError(), "the key still takes writes: " + put);
            assertArrayEquals(Keys.utf8("fine"), client.call(Request.get(2, key)).record().value());
        }
        assertTrue(node.isAlive(), "node process died; log:\n" + node.logTail());
    }

    /**
     * Even a real peer (or the holder of the cluster secret) cannot store a version from the
     * future: the replica refuses it with CLOCK_SKEW and its clock does not follow it.
     */
    @Test
    void aPeerCannotStoreAVersionFromTheFuture() throws Exception {
        String secret = Files.readString(data.resolve("cluster.secret")).strip();
        byte[] key = Keys.utf8("peer-role:future");
        try (RawConnection peer = new RawConnection(node.address())) {
            assertEquals(0, peer.call(Request.auth(1, Frames.ROLE_PEER, secret)).status());
            long tenYearsAhead = (System.currentTimeMillis() + 315_360_000_000L) << 16;
            for (long ts : new long[] {tenYearsAhead, 0x7fffffffffffffffL, 0xffffffffffffffffL}) {
                Response r = peer.call(Request.peer(2, apply(key, ts)));
                assertEquals(ErrorCode.CLOCK_SKEW, r.toException().code(), String.valueOf(r));
            }
        }
        try (RawConnection client = new RawConnection(node.address())) {
            assertTrue(client.call(Request.get(1, key)).isNotFound(), "nothing was stored");
            Response put = client.call(Request.put(2, key, Keys.utf8("fine"), 0, WriteConcern.DEFAULT));
            assertTrue(!put.isError(), "the key takes writes: " + put);
            long skew = put.version().wallMillis() - System.currentTimeMillis();
            assertTrue(Math.abs(skew) < 10_000, "stamped by the node's clock, not the forged one: " + put.version());
        }
    }

    @Test
    void theEmbeddedSingleNodeGeneratesItsClusterSecretForItsOwnerOnly() throws IOException {
        Path secret = data.resolve("cluster.secret");
        assertTrue(Files.readString(secret).strip().matches("[0-9a-f]{64}"), "a generated secret of 32 random bytes");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
    }

    /** An APPLY peer message as WIRE-PROTOCOL.md §12 gives it, for the key's segment of a default cluster. */
    static byte[] apply(byte[] key, long versionTimestamp) {
        byte[] value = Keys.utf8("forged");
        int segment = Segments.segmentOf(key, Segments.DEFAULT_COUNT);
        return ByteBuffer.allocate(1 + 4 + 8 + 1 + 8 + 4 + 8 + 4 + key.length + 4 + value.length)
                .put((byte) 1).putInt(segment).putLong(1).put((byte) 0)
                .putLong(versionTimestamp).putInt(99).putLong(0)
                .putInt(key.length).put(key).putInt(value.length).put(value).array();
    }
}

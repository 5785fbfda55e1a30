package earthwo.replication.internal.antientropy;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.replication.internal.antientropy.AeCodec.Entry;
import earthwo.replication.internal.antientropy.AeCodec.Header;
import earthwo.replication.internal.antientropy.AeCodec.In;
import earthwo.replication.internal.antientropy.AeCodec.Node;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AeCodecTest {

    private static final Header H = new Header(0, 7, 3, 42L);

    @Test
    void digestRequestLayout() {
        byte[] b = AeCodec.digestRequest(H, 0x0102030405060708L, 1, List.of(5L, 9L));
        assertEquals(17 + 8 + 1 + 4 + 16, b.length);
        assertEquals(AeCodec.DIGEST, b[0]);
        In in = new In(b);
        assertEquals(new Header(AeCodec.DIGEST, 7, 3, 42L), in.header());
        assertEquals(0x0102030405060708L, in.i64());
        assertEquals(1, in.u8());
        assertEquals(2, in.count());
        assertEquals(5L, in.i64());
        assertEquals(9L, in.i64());
        in.end();
    }

    @Test
    void digestAnswerRoundTrip() {
        int[] a = new int[32];
        Arrays.fill(a, -5);
        a[3] = 77;
        List<int[]> back = AeCodec.decodeDigestResponse(AeCodec.digestResponse(List.of(a, new int[32])));
        assertArrayEquals(a, back.get(0));
        assertArrayEquals(new int[32], back.get(1));
        assertEquals(4 + 2 * 128, AeCodec.digestResponse(List.of(a, a)).length);
    }

    @Test
    void listRoundTrip() {
        byte[] req = AeCodec.listRequest(H, 1L, List.of(new Node(2, 0xffL), new Node(16, -1L)));
        In in = new In(req);
        in.header();
        in.i64();
        assertEquals(2, in.count());
        assertEquals(new Node(2, 0xffL), in.node());
        assertEquals(new Node(16, -1L), in.node());
        in.end();
        List<List<Entry>> l = List.of(List.of(new Entry(-3L, 99L, 2), new Entry(4L, 5L, 1)), List.of());
        assertEquals(l, AeCodec.decodeListResponse(AeCodec.listResponse(l)));
    }

    @Test
    void recordsRoundTripAndSize() {
        Record v = Record.value("key".getBytes(), "value".getBytes(), new Version(123L, 4), 999L);
        Record t = Record.tombstone("gone".getBytes(), new Version(-1L, 2));
        byte[] ans = AeCodec.recordsResponse(true, List.of(v, t));
        AeCodec.Fetched f = AeCodec.decodeRecordsResponse(ans);
        assertTrue(f.truncated());
        assertEquals(List.of(v, t), f.records());
        assertEquals(1 + 4 + AeCodec.recordBytes(v) + AeCodec.recordBytes(t), ans.length);
        byte[] align = AeCodec.alignRequest(H, List.of(v), List.of(new Entry(1L, 2L, 3)));
        In in = new In(align);
        assertEquals(AeCodec.ALIGN, in.header().type());
        assertEquals(1, in.count());
        assertEquals(v, in.record());
        assertEquals(1, in.count());
        assertEquals(new Entry(1L, 2L, 3), in.entry());
        in.end();
    }

    @Test
    void malformedInputIsBadRequest() {
        byte[] b = AeCodec.digestRequest(H, 1L, 0, List.of(0L));
        EarthwoException e = assertThrows(EarthwoException.class, () -> AeCodec.decodeDigestResponse(Arrays.copyOf(b, 3)));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        byte[] huge = {0x7f, 0, 0, 0};
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> AeCodec.decodeListResponse(huge)).code());
        byte[] badNode = new AeCodec.Out().u8(1).i64(16L).toBytes();
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> new In(badNode).node()).code());
    }

    @Test
    void treeNodesArePrefixesOfTheKeyHash() {
        long kh = Hashing.keyHash("user:1".getBytes());
        assertEquals(kh >>> 60, Hashing.nodeOf(kh, 1));
        assertEquals(kh, Hashing.nodeOf(kh, 16));
        assertEquals(Hashing.nodeOf(kh, 3), Hashing.nodeOf(kh, 4) >>> 4);
        // Fixed values: the hash is part of the wire protocol and must not change.
        assertEquals(Hashing.fmix64(0xcbf29ce484222325L), Hashing.keyHash(new byte[0]));
    }
}

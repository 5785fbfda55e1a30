package earthwo.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentsTest {

    @Test
    void murmur3MatchesPublishedReferenceValues() {
        // Reference values of MurmurHash3_x86_32 (seed 0) from the SMHasher test vectors.
        assertEquals(0, Segments.murmur3_32(new byte[0], 0));
        assertEquals(0x514E28B7, Segments.murmur3_32(new byte[0], 1));
        assertEquals(0x5A97808A, Segments.murmur3_32(Keys.utf8("aaaa"), 0x9747b28c));
        assertEquals(0x24884CBA, Segments.murmur3_32(Keys.utf8("Hello, world!"), 0x9747b28c));
        assertEquals(0x2FA826CD, Segments.murmur3_32(Keys.utf8("The quick brown fox jumps over the lazy dog"), 0x9747b28c));
    }

    @Test
    void segmentsAreInRangeAndEvenlyFilled() {
        int s = 256;
        int[] counts = new int[s];
        for (int i = 0; i < 256_000; i++) {
            int seg = Segments.segmentOf(Keys.utf8("key:" + i), s);
            assertTrue(seg >= 0 && seg < s);
            counts[seg]++;
        }
        for (int c : counts) {
            assertTrue(c > 800 && c < 1200, "segment fill " + c + " far from the mean of 1000");
        }
    }

    @Test
    void versionOrdersByTimestampThenNode() {
        Version a = Version.of(100, 0, 5);
        Version b = Version.of(100, 1, 1);
        Version c = Version.of(100, 1, 2);
        assertTrue(b.isNewerThan(a));
        assertTrue(c.isNewerThan(b));
        assertEquals(100, c.wallMillis());
        assertEquals(1, c.counter());
    }
}

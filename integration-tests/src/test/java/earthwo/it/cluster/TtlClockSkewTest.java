package earthwo.it.cluster;

import earthwo.api.ExpireResult;
import earthwo.api.Keys;
import earthwo.api.Segments;
import earthwo.api.WriteConcern;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.api.testing.Poll;
import earthwo.it.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expiry is absolute wall-clock time, and every node hides and reaps by its own clock. Three
 * nodes at R=3, the third started with its clock 30 s behind ({@code earthwo.clock.offset.ms}):
 * a key that expires is hidden at once by the nodes with a right clock, still served by the slow
 * node until its clock reaches the expiry, and — as the slow node masters the key's segment —
 * reaped by it 30 s late, after which no node returns it. A time to live given to the slow node
 * counts from its clock: the others find the key expired at once. The README's TTL section
 * states both consequences.
 */
class TtlClockSkewTest {

    private static final long OFFSET_MS = -30_000;
    private static final int SLOW = 2;
    private static final int FAST = 0;

    @TempDir
    Path root;

    @Test
    void eachNodeHidesAndReapsByItsOwnClock() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, "ttlskew")) {
            cluster.startZooKeeper().startNodes(2).startNodes(1, "-Dearthwo.clock.offset.ms=" + OFFSET_MS);
            cluster.awaitEveryNodeHoldsEverySegment(3, Duration.ofSeconds(60));
            int slowId = Integer.parseInt(cluster.status(SLOW).get("cluster.node"));
            SegmentMap map = cluster.map(FAST);
            byte[] key = keyMasteredBy(map, slowId, "skew:reap:");

            // Written through a fast node: expires 3 s from now by this machine's clock.
            long expiresAt = System.currentTimeMillis() + 3_000;
            Response put = call(cluster, FAST, Request.put(1, key, Keys.utf8("v"), expiresAt, WriteConcern.ALL));
            assertFalse(put.isError(), "put: " + put);
            Poll.until("the expiry passed", Duration.ofSeconds(10), () -> System.currentTimeMillis() > expiresAt + 100);
            assertTrue(call(cluster, FAST, Request.get(2, key)).isNotFound(), "a node with a right clock hides the key");
            assertFalse(call(cluster, SLOW, Request.get(3, key)).isNotFound(),
                    "the slow node, 30 s behind, still serves the key and has not reaped it");
            // The slow master reaps by its clock: about 30 s late; then no node returns the key.
            Poll.until("the slow master reaps the key", Duration.ofSeconds(60),
                    () -> callQuietly(cluster, SLOW, Request.get(4, key)).isNotFound());
            assertTrue(System.currentTimeMillis() >= expiresAt - OFFSET_MS - 1_000,
                    "reaped by the slow node's clock, about 30 s after the expiry");
            assertTrue(call(cluster, FAST, Request.get(5, key)).isNotFound());

            // A time to live counts from the clock of the node that takes it.
            byte[] relative = Keys.utf8("skew:relative");
            assertFalse(call(cluster, FAST, Request.put(6, relative, Keys.utf8("v"), 0, WriteConcern.ALL)).isError());
            Response expire = call(cluster, SLOW, Request.expire(7, relative, Request.EXPIRE_IN, 5_000, WriteConcern.ALL));
            assertEquals(ExpireResult.SET, expire.expireResult(), "expire: " + expire);
            assertTrue(call(cluster, FAST, Request.get(8, relative)).isNotFound(),
                    "5 s from a clock 30 s behind is 25 s ago for a node with a right clock");
            Response ttl = call(cluster, SLOW, Request.ttl(9, relative));
            assertTrue(ttl.ttlMillis() > 0 && ttl.ttlMillis() <= 5_000, "the slow node counts 5 s: " + ttl.ttlMillis());
        }
    }

    private static byte[] keyMasteredBy(SegmentMap map, int nodeId, String prefix) {
        for (int i = 0; ; i++) {
            byte[] key = Keys.utf8(prefix + i);
            if (map.master(Segments.segmentOf(key, map.segmentCount())) == nodeId) {
                return key;
            }
        }
    }

    private static Response call(LocalCluster cluster, int node, Request request) throws IOException {
        try (RawConnection c = new RawConnection(cluster.node(node).address())) {
            return c.call(request);
        }
    }

    private static Response callQuietly(LocalCluster cluster, int node, Request request) {
        try {
            return call(cluster, node, request);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

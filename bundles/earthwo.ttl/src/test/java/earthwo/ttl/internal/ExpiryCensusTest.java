package earthwo.ttl.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Record;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ExpiryCensusTest {

    /** Segments 0, 1 held (mastered, replica), segment 2 no longer held but still in the store. */
    private static Fixture fixture() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.OTHER, Fixture.OTHER);
        f.cluster.setMap(new SegmentMap(2, 2, List.of(List.of(1, 2), List.of(2, 1), List.of(2)),
                Map.of(1, new NodeInfo(1, "127.0.0.1", 1), 2, new NodeInfo(2, "127.0.0.1", 2))));
        f.expired(0, "a", 3, 100);
        f.put(0, "later", f.now.get() + 5_000);
        f.put(0, "never", Record.NEVER);
        f.expired(1, "b", 4, 100);
        f.expired(2, "c", 7, 100);
        return f;
    }

    @Test
    void countsTheSegmentsThisNodeHoldsAndTheWholeIndex() {
        Fixture f = fixture();
        ExpiryCensus.Counts c = new ExpiryCensus(f.store, f.cluster, f.now::get).counts();
        assertEquals(3 + 1 + 4, c.keysWithExpiry());
        assertEquals(3 + 4, c.expiredUnreaped());
        assertFalse(c.unreapedCapped());
        assertEquals(7L, c.unreapedShown());
        assertEquals(3 + 1 + 4 + 7, c.indexEntries());
    }

    @Test
    void theExpiredCountStopsAtItsCap() {
        Fixture f = fixture();
        ExpiryCensus.Counts c = new ExpiryCensus(f.store, f.cluster, f.now::get, 5).counts();
        assertTrue(c.unreapedCapped());
        assertEquals(">=5", c.unreapedShown());
    }

    @Test
    void countsAreReusedForASecond() {
        Fixture f = fixture();
        ExpiryCensus census = new ExpiryCensus(f.store, f.cluster, f.now::get);
        census.counts();
        int calls = f.store.expiringCalls.get();
        f.now.addAndGet(ExpiryCensus.MAX_AGE_MS - 1);
        census.counts();
        assertEquals(calls, f.store.expiringCalls.get());
        f.now.addAndGet(1);
        census.counts();
        assertTrue(f.store.expiringCalls.get() > calls);
    }
}

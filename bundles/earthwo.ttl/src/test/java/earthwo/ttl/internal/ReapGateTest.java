package earthwo.ttl.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * A master reaps a segment only when its copy is known to be complete: the segment has no other
 * replica, or anti-entropy confirmed this node's copy in sync with one since it started.
 */
class ReapGateTest {

    @Test
    void anUnconfirmedSegmentWithOtherReplicasIsNotReaped() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF);
        f.expired(0, "a", 3, 100);
        f.expired(1, "b", 3, 100);
        f.confirmed.remove(0);

        assertEquals(3, f.pass(100).run());

        assertTrue(f.kv.calls.stream().allMatch(c -> c.segment() == 1), "reaped unconfirmed segment 0: " + f.kv.calls);
        assertEquals(3, f.store.live(0), "segment 0's expired keys wait for anti-entropy");
        assertEquals(new ReapGate.Awaiting(1, false), f.gate.awaiting());
        assertFalse(f.gate.reapsIn(0));
        assertTrue(f.gate.reapsIn(1));
    }

    @Test
    void aSegmentIsReapedOnceAntiEntropyConfirmsIt() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 4, 100);
        f.confirmed.clear();
        ReapPass pass = f.pass(100);
        assertEquals(0, pass.run());
        assertEquals(List.of(), f.kv.calls);

        f.confirmed.add(0);
        assertEquals(4, pass.run());
        assertEquals(0, f.store.live(0));
        assertEquals(new ReapGate.Awaiting(0, false), f.gate.awaiting());
    }

    @Test
    void aSegmentOnceConfirmedIsStillReapedWhenALaterPassFindsWritesInFlight() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 2, 100);
        assertTrue(f.gate.reapsIn(0));
        f.confirmed.remove(0); // a pass under steady writes found differences
        assertTrue(f.gate.reapsIn(0), "the copy was complete once; replication keeps it current");
        assertEquals(2, f.pass(100).run());
    }

    @Test
    void aRestartedMasterDoesNotReapAgainWhatTheOthersReapedMeanwhile() {
        // This node was down while the other replica, then master, reaped the key: its copy still
        // holds the value. Anti-entropy brings the tombstone before it confirms the segment.
        Fixture f = new Fixture(16, Fixture.SELF);
        Record stale = f.put(0, "k", f.now.get() - 5_000);
        f.confirmed.clear();
        ReapPass pass = f.pass(100);
        assertEquals(0, pass.run(), "reaped from a copy not confirmed complete");

        f.store.apply(0, Record.tombstone(stale.key(), Version.of(f.now.get(), 0, Fixture.OTHER)));
        f.confirmed.add(0);
        assertEquals(0, pass.run());
        assertEquals(List.of(), f.kv.calls, "a second tombstone was asked for");
    }

    @Test
    void withoutReplicaSyncASegmentWithOtherReplicasIsNotReaped() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF, Fixture.OTHER);
        f.expired(0, "k", 3, 100);
        f.expired(1, "j", 3, 100);
        f.sync = null;

        assertEquals(0, f.pass(100).run());
        assertEquals(List.of(), f.kv.calls);
        assertEquals(new ReapGate.Awaiting(2, true), f.gate.awaiting(), "segment 2 is not mastered here");
    }

    @Test
    void aFailingReplicaSyncConfirmsNothing() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 3, 100);
        f.syncFailure = new IllegalStateException("anti-entropy stopping");

        assertEquals(0, f.pass(100).run());
        assertEquals(new ReapGate.Awaiting(1, false), f.gate.awaiting());

        f.syncFailure = null;
        assertEquals(3, f.pass(100).run());
    }

    @Test
    void aSoleReplicaReapsWithoutReplicaSync() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF);
        f.cluster.setMap(Fixture.soleReplicaMap(2, 2));
        f.expired(0, "k", 3, 100);
        f.expired(1, "j", 2, 100);
        f.sync = null;

        assertEquals(5, f.pass(100).run());
        assertEquals(0, f.store.live(0));
        assertEquals(0, f.store.live(1));
        assertEquals(new ReapGate.Awaiting(0, true), f.gate.awaiting());
    }

    @Test
    void aSoleReplicaReapsEvenWhenReplicaSyncConfirmsNothing() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.cluster.setMap(Fixture.soleReplicaMap(2, 1));
        f.confirmed.clear();
        f.expired(0, "k", 3, 100);

        assertEquals(3, f.pass(100).run());
        assertEquals(new ReapGate.Awaiting(0, false), f.gate.awaiting());
    }

    @Test
    void onlyTheSegmentsWithOtherReplicasWaitForReplicaSync() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF);
        // Segment 0: this node alone; segment 1: this node and the other.
        f.cluster.setMap(new SegmentMap(2, 2, List.of(List.of(Fixture.SELF), List.of(Fixture.SELF, Fixture.OTHER)),
                Map.of(Fixture.SELF, new NodeInfo(Fixture.SELF, "127.0.0.1", 7380),
                        Fixture.OTHER, new NodeInfo(Fixture.OTHER, "127.0.0.1", 7381))));
        f.expired(0, "alone", 2, 100);
        f.expired(1, "shared", 2, 100);
        f.sync = null;

        assertEquals(2, f.pass(100).run());
        assertEquals(Set.of("alone0", "alone1"), Set.copyOf(f.kv.keysAsked()));
        assertEquals(new ReapGate.Awaiting(1, true), f.gate.awaiting());
    }

    @Test
    void aFencedMasterOrASyncingReplicaIsNotCountedAsAwaiting() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF, Fixture.OTHER);
        f.confirmed.clear();
        f.cluster.setMap(Fixture.map(2, Map.of(0, Set.of(Fixture.SELF)), Fixture.SELF, Fixture.SELF, Fixture.OTHER));
        assertEquals(new ReapGate.Awaiting(1, false), f.gate.awaiting(), "segment 0 is syncing, 2 is a replica");
        f.cluster.setFenced(true);
        assertEquals(new ReapGate.Awaiting(0, false), f.gate.awaiting());
        assertFalse(f.gate.reapsIn(1));
        assertFalse(f.gate.reapsIn(99), "a segment beyond the map");
    }
}

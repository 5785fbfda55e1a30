package earthwo.ttl.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ReapPassTest {

    @Test
    void reapsOnlyExpiredKeysOfTheSegmentsThisNodeMasters() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF, Fixture.OTHER, Fixture.OTHER);
        for (int s = 0; s < 4; s++) {
            f.expired(s, "gone" + s + ":", 3, 500);
            f.put(s, "later" + s, f.now.get() + 60_000);
            f.put(s, "forever" + s, Record.NEVER);
        }

        assertEquals(6, f.pass(100).run());

        assertEquals(Set.of(0, 1), Set.copyOf(f.kv.calls.stream().map(FakeKv.Call::segment).toList()),
                "reaps were asked only in the segments this node masters");
        assertEquals(2, f.store.live(0), "the keys not expired yet are kept");
        assertEquals(2, f.store.live(1));
        assertEquals(5, f.store.live(2), "a replica's expired keys wait for its master's tombstones");
        assertEquals(5, f.store.live(3));
        assertEquals(6, f.stats.reaped.sum());
        assertEquals(0, f.stats.failures.sum());
    }

    @Test
    void aFencedMasterOrASyncingReplicaReapsNothing() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF);
        f.expired(0, "a", 5, 100);
        f.expired(1, "b", 5, 100);
        f.cluster.setFenced(true);
        assertEquals(0, f.pass(100).run());
        assertEquals(List.of(), f.kv.calls);

        f.cluster.setFenced(false);
        f.cluster.setMap(Fixture.map(2, Map.of(0, Set.of(Fixture.SELF)), Fixture.SELF, Fixture.SELF));
        assertEquals(5, f.pass(100).run());
        assertTrue(f.kv.calls.stream().allMatch(c -> c.segment() == 1), "segment 0 is syncing here: " + f.kv.calls);
    }

    @Test
    void entriesWhoseRecordChangedAreSkipped() {
        Fixture f = new Fixture(16, Fixture.SELF);
        long past = f.now.get() - 100;
        f.put(0, "expired", past);
        // Re-put without expiry after the index entry was read: the entry no longer matches.
        f.put(0, "reput", Record.NEVER);
        f.store.plantIndexEntry(0, past, Keys.utf8("reput"));
        // Expiry moved later: the old entry is stale, the new one not yet due.
        f.put(0, "extended", f.now.get() + 10_000);
        f.store.plantIndexEntry(0, past, Keys.utf8("extended"));
        // Deleted meanwhile.
        f.store.put(0, Record.tombstone(Keys.utf8("deleted"), Version.of(99, 0, 1)));
        f.store.plantIndexEntry(0, past, Keys.utf8("deleted"));
        // Gone from the store altogether.
        f.store.plantIndexEntry(0, past, Keys.utf8("absent"));

        assertEquals(1, f.pass(100).run());

        assertEquals(List.of("expired"), f.kv.keysAsked());
        assertEquals(4, f.stats.skipped.sum());
    }

    @Test
    void failedReapsAreCountedAndTheKeysReapedByTheNextPass() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 3, 100);
        f.kv.failNext.add(ErrorCode.UNAVAILABLE);
        f.kv.failNext.add(ErrorCode.WRONG_SEGMENT);
        f.kv.throwNext.set(1);

        ReapPass pass = f.pass(100);
        assertEquals(3, pass.run());
        assertEquals(3, f.stats.failures.sum());
        assertEquals(3, f.store.live(0));

        pass.run();
        assertEquals(0, f.store.live(0));
        assertEquals(3, f.stats.reaped.sum());
    }

    @Test
    void aKeyWhoseReapFailedIsTriedOncePerPassAndReadPastAtTheIndexHead() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 4, 100);
        f.kv.failNext.add(ErrorCode.UNAVAILABLE);

        // Batch 2: k0 fails and stays first in the index; the next reads must still reach k2, k3.
        f.pass(2).run();
        assertEquals(List.of("k0", "k1", "k2", "k3"), f.kv.keysAsked());
        assertEquals(1, f.stats.failures.sum());
        assertEquals(1, f.store.live(0));

        f.pass(2).run();
        assertEquals(0, f.store.live(0));
    }

    @Test
    void aSegmentWhoseReapsAllFailIsLeftToTheNextPassAfterABatch() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 10, 100);
        for (int i = 0; i < 10; i++) {
            f.kv.failNext.add(ErrorCode.UNAVAILABLE);
        }
        f.pass(3).run();
        assertEquals(3, f.kv.calls.size(), "the pass kept asking: " + f.kv.keysAsked());
    }

    @Test
    void aSegmentWithABacklogDoesNotStarveTheOthers() {
        Fixture f = new Fixture(1_000, Fixture.SELF, Fixture.SELF);
        f.expired(0, "backlog", 2_000, 5_000);
        f.expired(1, "few", 3, 100);

        f.pass(100).run();

        List<String> asked = f.kv.keysAsked();
        assertEquals(2_003, asked.size());
        int firstOfSegment1 = asked.indexOf("few0");
        assertTrue(firstOfSegment1 <= 100, "segment 1 waited behind " + firstOfSegment1 + " reaps of segment 0");
        assertEquals(0, f.store.live(0), "the backlog is drained within the pass");
        assertEquals(0, f.store.live(1));
    }

    @Test
    void aKeyStillInFlightFromAnEarlierPassIsNotReapedAgain() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 4, 100);
        f.kv.hold = true;
        f.pass(100).run();
        assertEquals(4, f.kv.held());

        f.pass(100).run();
        assertEquals(4, f.kv.calls.size(), "asked again while in flight: " + f.kv.keysAsked());

        while (f.kv.completeOne()) {
            // complete them all
        }
        assertEquals(4, f.stats.reaped.sum());
        assertEquals(0, f.inFlight.size());
    }

    @Test
    void reapingStopsInASegmentWhoseMastershipMovedDuringThePass() {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 5, 100);
        f.kv.onCall = () -> f.cluster.setMap(Fixture.map(2, Map.of(), Fixture.OTHER));

        f.pass(1).run();

        assertEquals(1, f.kv.calls.size(), "reaped after losing mastership: " + f.kv.keysAsked());
    }

    @Test
    void lagIsCompletionTimeMinusExpiry() {
        Fixture f = new Fixture(16, Fixture.SELF);
        // 100 keys expired 1..100 ms ago, reaped at once: lags 1..100.
        for (int i = 1; i <= 100; i++) {
            f.put(0, "k" + i, f.now.get() - i);
        }
        f.pass(1_000).run();

        assertEquals(100, f.stats.lag.size());
        assertEquals(50, f.stats.lag.percentile(50));
        assertEquals(99, f.stats.lag.percentile(99));
        assertEquals(100, f.stats.lag.percentile(100));
    }

    @Test
    void aStoreThatFailsIsCountedAndThePassGoesOn() {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF);
        f.expired(0, "k", 2, 100);
        f.store.failure = new IllegalStateException("store reopening");
        assertEquals(0, f.pass(100).run());
        assertEquals(2, f.stats.errors.sum(), "one error per segment");

        f.store.failure = null;
        assertEquals(2, f.pass(100).run());
    }
}

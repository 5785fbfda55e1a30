package earthwo.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

/** Trimming the outboxes to the lowest position, forgetting names, and trimming while no name is known. */
class TrimmerTest {

    private static final long DAY = 86_400_000L;

    private final Fixture f = new Fixture(true, Fixture.SELF, Fixture.OTHER, Fixture.OTHER);
    private final Set<String> registered = new HashSet<>();
    private final LongAdder trimmed = new LongAdder();
    private final OutboxTrimmer trimmer = new OutboxTrimmer(f.store, f.cluster, () -> Set.copyOf(registered), f.now::get,
            7 * DAY, 60_000, trimmed);

    {
        // Segment 2 is not held by this node at all.
        f.cluster.setMap(new earthwo.api.cluster.SegmentMap(2, 2, java.util.List.of(java.util.List.of(1, 2),
                java.util.List.of(2, 1), java.util.List.of(2, 3)), f.cluster.currentMap().nodes()));
    }

    private KeyEvent[] events(int segment, int n) {
        KeyEvent[] out = new KeyEvent[n];
        for (int i = 0; i < n; i++) {
            out[i] = f.store.add(segment, EventType.CREATED, "k" + i, f.now.get() - 1_000);
        }
        return out;
    }

    @Test
    void trimsEachHeldSegmentToTheLowestPositionOfEveryKnownName() {
        KeyEvent[] s0 = events(0, 10);
        KeyEvent[] s1 = events(1, 10);
        events(2, 10);
        f.store.savePosition("a", 0, s0[7].version());
        f.store.savePosition("b", 0, s0[4].version()); // a name saved here (or sent here), not registered
        f.store.savePosition("a", 1, s1[8].version());
        f.store.savePosition("b", 1, s1[9].version());
        registered.add("a");

        trimmer.run();
        assertEquals(5, f.store.held(0), "through b's position, the lower one");
        assertEquals(1, f.store.held(1), "through a's, the lower one, on a replica too");
        assertEquals(10, f.store.held(2), "a segment this node does not hold");
        assertEquals(5 + 9, trimmed.sum());

        // A registered hook that has no position in a segment holds it at the start.
        registered.add("new");
        f.store.savePosition("a", 0, s0[9].version());
        f.store.savePosition("b", 0, s0[9].version());
        trimmer.run();
        assertEquals(5, f.store.held(0));
    }

    @Test
    void aNameNotRegisteredAndNotSavedForTheForgetTimeIsDropped() {
        KeyEvent[] s0 = events(0, 10);
        f.store.savePosition("gone", 0, s0[1].version());
        f.store.savePosition("idle", 0, s0[2].version());
        f.store.savePosition("kept", 0, s0[5].version());
        registered.add("idle");
        f.now.addAndGet(7 * DAY);
        f.store.savePosition("kept", 0, s0[6].version()); // saved just now

        trimmer.run();
        assertTrue(f.store.positions("gone").isEmpty(), "forgotten");
        assertEquals(s0[2].version(), f.store.positions("idle").get(0), "registered here: kept however old");
        assertEquals(7, f.store.held(0), "trimmed through idle's position now that gone no longer holds it back");
    }

    @Test
    void withNoNameKnownEventsOlderThanTheRetentionAreTrimmed() {
        long now = f.now.get();
        f.store.add(0, EventType.CREATED, "old1", now - 120_000);
        f.store.add(0, EventType.CREATED, "old2", now - 60_001);
        f.store.add(0, EventType.CREATED, "young", now - 59_000);
        f.store.add(1, EventType.CREATED, "old-replica", now - 90_000);
        trimmer.run();
        assertEquals(1, f.store.held(0));
        assertEquals(0, f.store.held(1));

        // Once a name is known, only positions trim.
        registered.add("h");
        f.now.addAndGet(120_000);
        trimmer.run();
        assertEquals(1, f.store.held(0));
    }
}

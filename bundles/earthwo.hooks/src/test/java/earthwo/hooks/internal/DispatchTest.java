package earthwo.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Keys;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;
import earthwo.api.testing.Poll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivery from the outbox to hooks, through the component and its threads, over the fakes of {@link Fixture}. */
class DispatchTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Fixture f;

    @AfterEach
    void stopAll() throws InterruptedException {
        if (f != null) {
            f.close();
        }
        Poll.until("no hook thread left", WAIT, () -> Fixture.hookThreads().isEmpty());
    }

    private static HookView view(HooksComponent c, String name) {
        return c.hooks().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }

    /** The events of {@code n} keys, each created, updated twice and deleted, spread over the segments given. */
    private List<KeyEvent> churn(int n, int... segments) {
        List<KeyEvent> all = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            EventType t = round == 0 ? EventType.CREATED : round == 3 ? EventType.DELETED : EventType.UPDATED;
            for (int k = 0; k < n; k++) {
                all.add(f.store.add(segments[k % segments.length], t, "k" + k, f.now.get() - 10_000 + round));
            }
        }
        return all;
    }

    @Test
    void deliversEveryEventOncePerKeyInVersionOrderAndSavesPositions() throws Exception {
        f = new Fixture(true, Fixture.SELF, Fixture.SELF, Fixture.SELF);
        List<KeyEvent> all = churn(30, 0, 1, 2);
        HooksComponent c = f.start(Fixture.settings(7));
        TestHook hook = new TestHook();
        f.register(c, hook, "h");

        Poll.until("120 events delivered", WAIT, () -> hook.acknowledged.size() == all.size());
        Map<String, Version> last = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (KeyEvent e : hook.acknowledged) {
            assertTrue(ids.add(e.id()), "delivered twice: " + e);
            Version before = last.put(Keys.string(e.key()), e.version());
            assertTrue(before == null || e.version().isNewerThan(before), "out of order for its key: " + e);
        }
        for (List<KeyEvent> batch : hook.calls) {
            assertTrue(batch.size() <= 7, "batch of " + batch.size());
            assertEquals(1, batch.stream().map(KeyEvent::segment).distinct().count(), "a batch is of one segment");
        }
        for (int s = 0; s < 3; s++) {
            int segment = s;
            Version newest = all.stream().filter(e -> e.segment() == segment).map(KeyEvent::version).max(Version::compareTo).orElseThrow();
            Poll.until("segment " + s + " position saved", WAIT, () -> newest.equals(f.store.positions("h").get(segment)));
        }
        assertTrue(hook.threads.stream().allMatch(t -> t.equals("earthwo-hook-h")), "delivered on its own thread: " + hook.threads);
        HookView v = view(c, "h");
        assertEquals(120, v.delivered());
        assertEquals(HookState.ACTIVE, v.state());
        assertEquals(0L, v.pending());
        assertTrue(v.lagP50Ms() >= 9_990, "lag from the version's time: " + v.lagP50Ms());
    }

    @Test
    void eventsFilteredOutStillMoveThePosition() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        long t = f.now.get() - 1_000;
        f.store.add(0, EventType.CREATED, "a:1", t);
        f.store.add(0, EventType.CREATED, "b:1", t);
        f.store.add(0, EventType.UPDATED, "a:1", t);
        f.store.add(0, EventType.DELETED, "a:1", t);
        KeyEvent last = f.store.add(0, EventType.DELETED, "b:1", t);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook hook = new TestHook();
        f.register(c, hook, "filtered", KeyHook.PREFIXES, new String[] {"a:"}, KeyHook.EVENTS, "CREATED, deleted");

        Poll.until("position at the last event", WAIT, () -> last.version().equals(f.store.positions("filtered").get(0)));
        List<String> got = hook.acknowledged.stream().map(e -> e.type() + " " + Keys.string(e.key())).toList();
        assertEquals(List.of("CREATED a:1", "DELETED a:1"), got);

        // Only events nobody wants: the position still moves past them, with no call to the hook.
        int calls = hook.calls.size();
        KeyEvent skipped = f.store.add(0, EventType.UPDATED, "b:2", t);
        Poll.until("position past the unwanted event", WAIT, () -> skipped.version().equals(f.store.positions("filtered").get(0)));
        assertEquals(calls, hook.calls.size());
        assertEquals("a:", view(c, "filtered").prefixes());
        assertEquals("CREATED,DELETED", view(c, "filtered").events());
    }

    @Test
    void aFailingBatchGoesAgainWithBackoffUntilAcknowledgedAndNothingIsLost() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        for (int i = 0; i < 10; i++) {
            f.store.add(0, EventType.CREATED, "k" + i, f.now.get() - 1_000);
        }
        HooksComponent c = f.start(Fixture.settings(4));
        TestHook hook = new TestHook();
        hook.faults.addAll(List.of(TestHook.Fault.FAIL, TestHook.Fault.THROW, TestHook.Fault.NEVER, TestHook.Fault.NULL));
        f.register(c, hook, "flaky", KeyHook.TIMEOUT_MS, 50L);

        Poll.until("every event acknowledged", WAIT, () -> hook.acknowledged.size() == 10);
        // The first batch was offered five times, unchanged, before anything else.
        for (int i = 0; i < 5; i++) {
            assertEquals(hook.calls.get(0), hook.calls.get(i));
        }
        List<String> keys = hook.acknowledged.stream().map(e -> Keys.string(e.key())).toList();
        assertEquals(List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"), keys);
        HookView v = view(c, "flaky");
        assertEquals(4, v.failed());
        assertEquals(4, v.retried());
        assertEquals(10, v.delivered());
        assertEquals(HookState.ACTIVE, v.state());
    }

    @Test
    void aHookThatBlocksHoldsOnlyItsOwnThread() throws Exception {
        f = new Fixture(true, Fixture.SELF, Fixture.SELF);
        f.store.add(0, EventType.CREATED, "a", f.now.get() - 1_000);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook stuck = new TestHook();
        stuck.blockInside();
        f.register(c, stuck, "stuck");
        Poll.until("the stuck hook inside deliver", WAIT, stuck::enteredBlocked);

        TestHook fine = new TestHook();
        f.register(c, fine, "fine");
        for (int i = 0; i < 20; i++) {
            f.store.add(i % 2, EventType.CREATED, "b" + i, f.now.get() - 1_000);
        }
        Poll.until("the other hook got everything", WAIT, () -> fine.acknowledged.size() == 21);
        assertEquals(1, stuck.calls.size());

        stuck.release();
        Poll.until("the stuck hook caught up", WAIT, () -> stuck.acknowledged.size() == 21);
    }

    @Test
    void aGapComesAloneAndOnceBeforeTheEventsAfterIt() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        long t = f.now.get() - 1_000;
        f.store.add(0, EventType.CREATED, "lost1", t);
        KeyEvent lostLast = f.store.add(0, EventType.CREATED, "lost2", t);
        f.store.add(0, EventType.CREATED, "kept1", t);
        f.store.add(0, EventType.CREATED, "kept2", t);
        f.store.lose(0, lostLast.version());
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook hook = new TestHook();
        hook.faults.add(TestHook.Fault.FAIL); // the GAP itself is retried like any batch
        f.register(c, hook, "g");

        Poll.until("the events after the gap", WAIT, () -> hook.changes().size() == 2);
        assertEquals(1, hook.calls.get(0).size());
        KeyEvent gap = hook.acknowledged.get(0);
        assertEquals(EventType.GAP, gap.type());
        assertEquals(lostLast.version(), gap.version());
        assertEquals(2, gap.lost());
        assertEquals(List.of("kept1", "kept2"), hook.changes().stream().map(e -> Keys.string(e.key())).toList());

        long turns = turns(c, "g");
        f.store.add(0, EventType.CREATED, "later", f.now.get() - 1_000);
        Poll.until("the later event", WAIT, () -> hook.changes().size() == 3);
        Poll.until("more turns", WAIT, () -> turns(c, "g") > turns + 2);
        assertEquals(1, hook.acknowledged.stream().filter(e -> e.type() == EventType.GAP).count(), "one GAP");
        assertEquals(1, view(c, "g").gaps());
    }

    /** Turns the hook's thread completed over its segments. */
    private static long turns(HooksComponent c, String name) {
        return c.stats(name).turns.sum();
    }

    @Test
    void onlySegmentsThisNodeMastersAreDeliveredAndANewMasterResumesFromTheSentPosition() throws Exception {
        f = new Fixture(true, Fixture.SELF, Fixture.OTHER);
        long t = f.now.get() - 1_000;
        f.store.add(0, EventType.CREATED, "mine", t);
        f.store.add(1, EventType.CREATED, "theirs-acked", t);
        KeyEvent acked = f.store.add(1, EventType.UPDATED, "theirs-acked", t);
        f.store.add(1, EventType.CREATED, "theirs-new", t);
        HooksComponent c = f.start(Fixture.settings(100));
        // The master of segment 1 sent its position: through the second event.
        c.handle(PositionMessages.encode(List.of(new PositionMessages.Entry("h", 1, acked.version()))))
                .toCompletableFuture().join();
        TestHook hook = new TestHook();
        f.register(c, hook, "h");

        Poll.until("segment 0 delivered", WAIT, () -> hook.acknowledged.size() == 1);
        long turns = turns(c, "h");
        Poll.until("more turns", WAIT, () -> turns(c, "h") > turns + 2);
        assertEquals(List.of("mine"), hook.acknowledged.stream().map(e -> Keys.string(e.key())).toList());
        assertEquals(0L, view(c, "h").pending(), "nothing pending in the segments this node masters");

        f.cluster.setMap(Fixture.map(2, Fixture.SELF, Fixture.SELF)); // failover: node 1 masters segment 1 now
        Poll.until("segment 1 delivered after the sent position", WAIT, () -> hook.acknowledged.size() == 2);
        assertEquals("theirs-new", Keys.string(hook.acknowledged.get(1).key()));
    }

    @Test
    void aFencedNodeDeliversNothing() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        f.cluster.setFenced(true);
        f.store.add(0, EventType.CREATED, "k", f.now.get() - 1_000);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        Poll.until("turns", WAIT, () -> turns(c, "h") > 3);
        assertTrue(hook.calls.isEmpty());
        f.cluster.setFenced(false);
        Poll.until("delivered once mastering again", WAIT, () -> hook.acknowledged.size() == 1);
    }

    @Test
    void eventsYoungerThanTheSettleTimeWait() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        f.store.add(0, EventType.CREATED, "old", f.now.get() - 600);
        f.store.add(0, EventType.CREATED, "young", f.now.get() - 100);
        HooksComponent c = f.start(new HooksSettings(100, 200, 200, 500, 60_000, 7L * 86_400_000, 60_000));
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        Poll.until("the settled event", WAIT, () -> hook.acknowledged.size() == 1);
        long turns = turns(c, "h");
        Poll.until("more turns", WAIT, () -> turns(c, "h") > turns + 2);
        assertEquals(1, hook.acknowledged.size());
        assertEquals(1L, view(c, "h").pending());
        f.now.addAndGet(400);
        Poll.until("the young event once settled", WAIT, () -> hook.acknowledged.size() == 2);
    }

    @Test
    void pausedDeliversNothingAndKeepsItsPositionUntilResumed() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook paused = new TestHook();
        TestHook witness = new TestHook();
        f.register(c, paused, "p");
        f.register(c, witness, "w");
        KeyEvent first = f.store.add(0, EventType.CREATED, "first", f.now.get() - 1_000);
        Poll.until("both got the first event", WAIT, () -> paused.acknowledged.size() == 1 && witness.acknowledged.size() == 1);

        new HookCommands(c).pause("p");
        assertEquals(HookState.PAUSED, view(c, "p").state());
        for (int i = 0; i < 5; i++) {
            f.store.add(0, EventType.CREATED, "while-paused" + i, f.now.get() - 1_000);
        }
        // The other hook, on the same outbox, got them: the paused one had every chance to.
        Poll.until("the witness got the new events", WAIT, () -> witness.acknowledged.size() == 6);
        Poll.until("pending counted", WAIT, () -> Long.valueOf(5).equals(view(c, "p").pending()));
        assertEquals(1, paused.acknowledged.size());
        assertEquals(first.version(), f.store.positions("p").get(0));

        // An update of the paused hook's bundle keeps it paused.
        c.remove(c.serviceId("p"));
        f.register(c, paused, "p");
        assertEquals(HookState.PAUSED, view(c, "p").state());

        new HookCommands(c).resume("p");
        Poll.until("the paused hook caught up", WAIT, () -> paused.acknowledged.size() == 6);
        assertEquals(HookState.ACTIVE, view(c, "p").state());
    }

    @Test
    void positionsSurviveARestartOfTheComponentAndTheHooksService() throws Exception {
        f = new Fixture(true, Fixture.SELF, Fixture.SELF);
        for (int i = 0; i < 6; i++) {
            f.store.add(i % 2, EventType.CREATED, "before" + i, f.now.get() - 1_000);
        }
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        Poll.until("first six", WAIT, () -> hook.acknowledged.size() == 6);
        f.stop(c);
        assertTrue(Fixture.hookThreads().isEmpty(), "threads after deactivation: " + Fixture.hookThreads());

        for (int i = 0; i < 4; i++) {
            f.store.add(i % 2, EventType.CREATED, "after" + i, f.now.get() - 1_000);
        }
        HooksComponent again = f.start(Fixture.settings(100));
        TestHook back = new TestHook();
        f.register(again, back, "h");
        Poll.until("the four new ones", WAIT, () -> back.acknowledged.size() == 4);
        assertTrue(back.acknowledged.stream().allMatch(e -> Keys.string(e.key()).startsWith("after")), "resumed: " + back.acknowledged);

        // The hook service goes and comes back (its bundle updated): again from its position.
        again.remove(again.serviceId("h"));
        Poll.until("its thread ended", WAIT, () -> !Fixture.hookThreads().contains("earthwo-hook-h"));
        f.store.add(0, EventType.CREATED, "while-away", f.now.get() - 1_000);
        TestHook updated = new TestHook();
        f.register(again, updated, "h");
        Poll.until("the event written while it was away", WAIT, () -> updated.acknowledged.size() == 1);
        assertEquals(5, view(again, "h").delivered(), "counts continue over the service's comings and goings");
    }

    @Test
    void acknowledgedEventsAreTrimmedAndTheirPositionsReachTheReplicas() throws Exception {
        f = new Fixture(true, Fixture.SELF, Fixture.OTHER);
        List<Integer> to = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<PositionMessages.Entry> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        HooksComponent c = f.start(new HooksSettings(100, 200, 200, 0, 10, 7L * 86_400_000, 60_000));
        c.setLinks((node, payload, timeout) -> {
            if (payload[0] == PositionMessages.ASK) { // the new master's question: nothing known there
                return java.util.concurrent.CompletableFuture.completedFuture(
                        PositionMessages.encode(PositionMessages.ASK, List.of()));
            }
            to.add(node);
            sent.addAll(PositionMessages.decode(payload));
            return java.util.concurrent.CompletableFuture.completedFuture(new byte[0]);
        });
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        KeyEvent last = null;
        for (int i = 0; i < 5; i++) {
            last = f.store.add(0, EventType.CREATED, "k" + i, f.now.get() - 1_000);
        }
        f.store.add(1, EventType.CREATED, "replica-only", f.now.get() - 1_000);
        Version through = last.version();
        Poll.until("the position sent to the other replica", WAIT,
                () -> sent.contains(new PositionMessages.Entry("h", 0, through)));
        Poll.until("the delivered events trimmed", WAIT, () -> f.store.held(0) == 0);
        assertEquals(1, f.store.held(1), "segment 1: no position of h there yet");
        assertTrue(to.stream().allMatch(n -> n == Fixture.OTHER), "sent to " + to);
        assertTrue(sent.stream().allMatch(e -> e.segment() == 0), "only the mastered segment: " + sent);
        assertTrue((Long) c.status().get("outbox.trimmed") >= 5);
        assertTrue((Long) c.status().get("positions.sent") >= 1);
    }

    @Test
    void anUnchangedSegmentIsNotReadAgain() throws Exception {
        f = new Fixture(new FakeOutboxStore(2, true, System::currentTimeMillis, true), Fixture.SELF, Fixture.SELF);
        f.store.add(0, EventType.CREATED, "k", f.now.get() - 1_000);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        Poll.until("delivered", WAIT, () -> hook.acknowledged.size() == 1);
        long turns = turns(c, "h");
        Poll.until("two more turns", WAIT, () -> turns(c, "h") >= turns + 2);
        int reads = f.store.reads.get();
        Poll.until("five more turns", WAIT, () -> turns(c, "h") >= turns + 7);
        assertTrue(f.store.reads.get() - reads <= 2, "reads of unchanged segments: " + (f.store.reads.get() - reads));
        f.store.add(1, EventType.CREATED, "k2", f.now.get() - 1_000);
        Poll.until("a new event still delivered", WAIT, () -> hook.acknowledged.size() == 2);
    }

    @Test
    void storeFailuresAreCountedAndDeliveryGoesOnAfterwards() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        f.store.add(0, EventType.CREATED, "k", f.now.get() - 1_000);
        f.store.failure = new IllegalStateException("store reopening");
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        Poll.until("errors counted", WAIT, () -> c.stats("h").errors.sum() >= 1);
        assertTrue(String.valueOf(view(c, "h").pending()).startsWith("unavailable"));
        f.store.failure = null;
        Poll.until("delivered once the store is back", WAIT, () -> hook.acknowledged.size() == 1);
        assertFalse(Fixture.hookThreads().isEmpty());
    }

    /** A replica of the fixture's map with a store of its own, answering questions over {@code links}. */
    private FakeOutboxStore otherNode(FakeLinks links) {
        FakeOutboxStore store = new FakeOutboxStore(f.store.segmentCount(), true, f.now::get);
        links.with(Fixture.OTHER, new PositionReceiver(store,
                new earthwo.api.cluster.TestClusterView(Fixture.OTHER, f.cluster.currentMap()),
                new java.util.concurrent.atomic.LongAdder()));
        return store;
    }

    @Test
    void aNodeThatBecomesMasterAgainStartsFromTheFurthestPositionOfTheOtherReplicas() throws Exception {
        // Node 1 was master of segment 0, acknowledged through e1, went down; node 2 mastered it and
        // delivered through e4, and stopped sending positions when node 1 became master again.
        f = new Fixture(true, Fixture.OTHER);
        long t = f.now.get() - 1_000;
        List<KeyEvent> events = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            events.add(f.store.add(0, EventType.CREATED, "e" + i, t));
        }
        f.store.savePosition("h", 0, events.get(0).version());
        FakeLinks links = new FakeLinks();
        FakeOutboxStore other = otherNode(links);
        other.savePosition("h", 0, events.get(3).version());
        HooksComponent c = f.start(Fixture.settings(100));
        c.setLinks(links);
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        Poll.until("turns", WAIT, () -> turns(c, "h") > 2);
        assertTrue(links.calls(PositionMessages.ASK).isEmpty(), "nobody asked while not master");

        f.cluster.setMap(Fixture.map(2, Fixture.SELF));
        Poll.until("the events after the other replica's position", WAIT, () -> hook.acknowledged.size() == 2);
        assertEquals(List.of("e5", "e6"), hook.acknowledged.stream().map(e -> Keys.string(e.key())).toList(),
                "nothing the other master delivered is delivered again");
        assertEquals(1, links.calls(PositionMessages.ASK).size());
        assertEquals(Fixture.OTHER, links.calls(PositionMessages.ASK).get(0).node());
        Poll.until("position saved", WAIT, () -> events.get(5).version().equals(f.store.positions("h").get(0)));
        assertEquals(1, c.stats("h").positionsTaken.sum());
        assertEquals(1L, c.status().get("positions.asked"));
        assertEquals(0L, c.status().get("positions.unanswered"));

        // Its own position further on than the other's: kept (positions never go back).
        f.cluster.setMap(Fixture.map(3, Fixture.OTHER));
        long before = turns(c, "h");
        Poll.until("more turns", WAIT, () -> turns(c, "h") > before + 2);
        KeyEvent e7 = f.store.add(0, EventType.CREATED, "e7", t);
        f.cluster.setMap(Fixture.map(4, Fixture.SELF));
        Poll.until("e7", WAIT, () -> hook.acknowledged.size() == 3);
        assertEquals(2, links.calls(PositionMessages.ASK).size(), "asked again on gaining the segment again");
        assertEquals(e7.version(), f.store.positions("h").get(0));
        assertEquals(1, c.stats("h").positionsTaken.sum());
    }

    @Test
    void aReplicaThatDoesNotAnswerIsSkippedAfterAMoment() throws Exception {
        f = new Fixture(true, Fixture.OTHER);
        long t = f.now.get() - 1_000;
        KeyEvent e1 = f.store.add(0, EventType.CREATED, "e1", t);
        f.store.add(0, EventType.CREATED, "e2", t);
        f.store.savePosition("h", 0, e1.version());
        FakeLinks links = new FakeLinks();
        links.silent.add(Fixture.OTHER);
        HooksComponent c = f.start(Fixture.settings(100));
        c.setLinks(links);
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        long start = System.nanoTime();
        f.cluster.setMap(Fixture.map(2, Fixture.SELF));
        Poll.until("delivered from its own position", WAIT, () -> hook.acknowledged.size() == 1);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals("e2", Keys.string(hook.acknowledged.get(0).key()));
        assertTrue(tookMs >= 900, "delivered after " + tookMs + " ms: before the question's timeout");
        assertEquals(1L, c.status().get("positions.unanswered"));
    }

    @Test
    void aPositionAMasterSendsWhileTheThreadHoldsTheSegmentIsTakenAndNeverGoesBack() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        long t = f.now.get() - 1_000;
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        KeyEvent e1 = f.store.add(0, EventType.CREATED, "e1", t);
        Poll.until("e1", WAIT, () -> hook.acknowledged.size() == 1);
        new HookCommands(c).pause("h");
        List<KeyEvent> later = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            later.add(f.store.add(0, EventType.CREATED, "e" + i, t));
        }
        // Another node that (also) mastered the segment delivered through e4 and sent its position.
        c.handle(PositionMessages.encode(List.of(new PositionMessages.Entry("h", 0, later.get(2).version()))))
                .toCompletableFuture().join();
        assertEquals(1, c.stats("h").positionsTaken.sum());
        // An older one (a late message) changes nothing.
        c.handle(PositionMessages.encode(List.of(new PositionMessages.Entry("h", 0, e1.version()))))
                .toCompletableFuture().join();
        new HookCommands(c).resume("h");
        Poll.until("e5", WAIT, () -> hook.acknowledged.size() == 2);
        assertEquals("e5", Keys.string(hook.acknowledged.get(1).key()), "e2..e4 not delivered again");
        assertEquals(later.get(3).version(), f.store.positions("h").get(0));
        assertEquals(1, c.stats("h").positionsTaken.sum());
    }

    @Test
    void aHookStuckInsideDeliverIsShownStuckUntilItReturns() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        f.store.add(0, EventType.CREATED, "a", f.now.get() - 1_000);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook stuck = new TestHook();
        stuck.blockInside();
        f.register(c, stuck, "stuck", KeyHook.TIMEOUT_MS, 100L);
        TestHook fine = new TestHook();
        f.register(c, fine, "fine");
        Poll.until("the hook inside deliver", WAIT, stuck::enteredBlocked);
        Poll.until("shown stuck", WAIT, () -> view(c, "stuck").state() == HookState.STUCK);
        assertTrue(view(c, "stuck").stuckMs() > 100, "stuck.ms " + view(c, "stuck").stuckMs());
        assertEquals(HookState.ACTIVE, view(c, "fine").state());
        assertEquals(0, view(c, "fine").stuckMs());
        assertEquals(0, view(c, "stuck").failed(), "a call that has not returned has not failed");
        String line = new HookCommands(c).list().lines().filter(l -> l.startsWith("stuck ")).findFirst().orElseThrow();
        assertTrue(line.contains(" state=stuck ") && line.contains(" stuck.ms="), line);
        Map<String, Object> status = c.status();
        assertEquals("stuck", status.get("stuck.state"));
        assertEquals(1L, status.get("stuck"));
        assertEquals(0L, status.get("fine.stuck.ms"));

        // Paused by an operator: shown paused, still stuck inside.
        new HookCommands(c).pause("stuck");
        assertEquals(HookState.PAUSED, view(c, "stuck").state());
        assertTrue(view(c, "stuck").stuckMs() > 100);
        new HookCommands(c).resume("stuck");
        assertEquals(HookState.STUCK, view(c, "stuck").state());

        stuck.release();
        Poll.until("delivered once it returned", WAIT, () -> stuck.acknowledged.size() == 1);
        Poll.until("active again", WAIT, () -> view(c, "stuck").state() == HookState.ACTIVE);
        assertEquals(0, view(c, "stuck").stuckMs());
        assertEquals(0L, c.status().get("stuck"));
    }

    @Test
    void aRestartedNodeMadeMasterBeforeItsLinksAreBoundAsksOnceTheyAre() throws Exception {
        // The map names the restarted node master as soon as it joins; its links come a moment later.
        f = new Fixture(true, Fixture.SELF);
        long t = f.now.get() - 1_000;
        List<KeyEvent> events = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            events.add(f.store.add(0, EventType.CREATED, "e" + i, t));
        }
        f.store.savePosition("h", 0, events.get(0).version());
        FakeLinks links = new FakeLinks();
        otherNode(links).savePosition("h", 0, events.get(2).version());
        HooksComponent c = f.start(Fixture.settings(100), 5_000);
        TestHook hook = new TestHook();
        f.register(c, hook, "h");
        Thread.sleep(300);
        assertTrue(hook.calls.isEmpty(), "delivered before the other replicas could be asked: " + hook.calls);
        c.setLinks(links);
        Poll.until("e4", WAIT, () -> hook.acknowledged.size() == 1);
        assertEquals("e4", Keys.string(hook.acknowledged.get(0).key()));
        assertEquals(1, links.calls(PositionMessages.ASK).size());
    }
}

package earthwo.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.hooks.EventType;
import earthwo.api.testing.Poll;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whiteboard: names, refusals, the no-outbox state, the commands and the status, and stopping threads. */
class RegistryTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Fixture f;

    @AfterEach
    void stopAll() throws InterruptedException {
        if (f != null) {
            f.close();
        }
        Poll.until("no hook thread left", WAIT, () -> Fixture.hookThreads().isEmpty());
    }

    @Test
    void aSecondServiceWithATakenNameIsRefusedAndTakesOverWhenTheFirstGoes() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook first = new TestHook();
        TestHook second = new TestHook();
        long firstId = f.register(c, first, "dup");
        f.register(c, second, "dup");
        f.store.add(0, EventType.CREATED, "k", f.now.get() - 1_000);
        Poll.until("the first delivered", WAIT, () -> first.acknowledged.size() == 1);
        List<HookView> views = c.hooks();
        assertEquals(2, views.size());
        assertEquals(HookState.ACTIVE, views.get(0).state());
        assertEquals(HookState.REFUSED, views.get(1).state());
        assertTrue(second.calls.isEmpty());
        assertEquals(1L, c.status().get("refused"));

        c.remove(firstId);
        f.store.add(0, EventType.CREATED, "k2", f.now.get() - 1_000);
        Poll.until("the second took over from the position", WAIT, () -> second.acknowledged.size() == 1);
        assertEquals(1, c.hooks().size());
        assertEquals(1, Fixture.hookThreads().stream().filter(t -> t.equals("earthwo-hook-dup")).count());
    }

    @Test
    void aHookWithBadPropertiesIsRefusedAndOthersGoOn() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        HooksComponent c = f.start(Fixture.settings(100));
        f.register(c, new TestHook(), "bad name");
        f.register(c, new TestHook(), "good", "earthwo.hook.batch", -1);
        TestHook ok = new TestHook();
        f.register(c, ok, "ok");
        assertEquals(List.of("ok"), c.hooks().stream().map(HookView::name).toList());
    }

    @Test
    void withoutAnOutboxHooksAreShownAsSuchAndNoThreadRuns() throws Exception {
        // A store that cannot switch its outbox on (it keeps failing): hooks wait for it.
        f = new Fixture(new FakeOutboxStore(1, false, () -> 0L) {
            @Override
            public void keepOutbox() {
                throw new IllegalStateException("store closed (test)");
            }
        }, Fixture.SELF);
        HooksComponent c = f.start(Fixture.settings(100));
        f.register(c, new TestHook(), "h");
        HookView v = c.hooks().get(0);
        assertEquals(HookState.NO_OUTBOX, v.state());
        assertEquals("n/a", v.pending());
        assertTrue(Fixture.hookThreads().stream().noneMatch(t -> t.startsWith(HookRunner.THREAD_PREFIX)),
                "threads: " + Fixture.hookThreads());
        assertEquals(false, c.status().get("outbox"));
        assertTrue(new HookCommands(c).list().contains("h bundle=test.bundle prefixes=* events=* state=no-outbox"));
        // Positions sent by a master are refused with a reason.
        Throwable failure = c.handle(PositionMessages.encode(List.of())).toCompletableFuture().handle((v2, e) -> e).join();
        assertTrue(String.valueOf(failure).contains("keeps no outbox yet"), String.valueOf(failure));
    }

    @Test
    void commandsListPauseAndResumeAndNameUnknownHooks() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        HooksComponent c = f.start(Fixture.settings(100));
        HookCommands commands = new HookCommands(c);
        assertEquals("# no hook is registered on this node\n", commands.list());
        f.register(c, new TestHook(), "a", "earthwo.hook.prefixes", "user:");
        f.register(c, new TestHook(), "b");
        String list = commands.list();
        String[] lines = list.split("\n");
        assertEquals(2, lines.length, list);
        assertTrue(lines[0].startsWith("a bundle=test.bundle prefixes=user: events=* state=active delivered=0 retried=0"
                + " failed=0 gaps=0 pending=0 pending.oldest.ms=0 lag.p50.ms=n/a lag.p99.ms=n/a"), lines[0]);
        assertEquals("hook 'a' paused\n", commands.pause("a"));
        assertTrue(commands.list().split("\n")[0].contains("state=paused"));
        assertEquals("hook 'a' resumed\n", commands.resume("a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.pause("nope"));
        assertEquals("no hook named 'nope' on this node (hooks: a, b)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> commands.resume("nope"));

        Map<String, Object> status = c.status();
        assertEquals(true, status.get("outbox"));
        assertEquals(2L, status.get("registered"));
        assertEquals("active", status.get("a.state"));
        assertEquals("user:", status.get("a.prefixes"));
        assertEquals(0L, status.get("b.delivered"));
        assertTrue(status.containsKey("b.lag.p99.ms"));

        HookCommands inactive = new HookCommands(null);
        assertTrue(inactive.list().startsWith("# the hooks dispatcher is not active"));
        assertThrows(IllegalStateException.class, () -> inactive.pause("a"));
    }

    @Test
    void deactivationWaitsForADeliveryInFlightAndLeavesAHookStuckForeverBehind() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        f.store.add(0, EventType.CREATED, "k", f.now.get() - 1_000);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook stuck = new TestHook();
        stuck.blockInside();
        f.register(c, stuck, "stuck", "earthwo.hook.timeout.ms", 100L);
        TestHook fine = new TestHook();
        f.register(c, fine, "fine");
        Poll.until("stuck inside deliver", WAIT, stuck::enteredBlocked);
        Poll.until("the other delivered", WAIT, () -> fine.acknowledged.size() == 1);

        long start = System.nanoTime();
        f.stop(c);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 5_000, "deactivation took " + tookMs + " ms");
        assertEquals(List.of("earthwo-hook-stuck"), List.copyOf(Fixture.hookThreads()), "only the stuck thread is left");
        int savesBefore = f.store.saves.get();
        stuck.release();
        Poll.until("the left thread ended", WAIT, () -> Fixture.hookThreads().isEmpty());
        assertEquals(savesBefore, f.store.saves.get(), "an abandoned thread saves nothing");
    }

    @Test
    void deactivationEndsEveryThread() throws Exception {
        f = new Fixture(true, Fixture.SELF, Fixture.SELF);
        HooksComponent c = f.start(Fixture.settings(100));
        for (int i = 0; i < 3; i++) {
            f.register(c, new TestHook(), "h" + i);
        }
        Poll.until("threads up", WAIT, () -> Fixture.hookThreads().size() == 4);
        f.stop(c);
        assertTrue(Fixture.hookThreads().isEmpty(), "left: " + Fixture.hookThreads());
    }

    @Test
    void deactivationWaitsForAllThreadsTogetherAtMostFiveSecondsWhateverTheirTimeouts() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        f.store.add(0, EventType.CREATED, "k", f.now.get() - 1_000);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook[] slow = {new TestHook(), new TestHook(), new TestHook()};
        for (int i = 0; i < slow.length; i++) {
            slow[i].blockInside();
            f.register(c, slow[i], "slow" + i, "earthwo.hook.timeout.ms", 60_000L);
        }
        for (TestHook h : slow) {
            Poll.until("inside deliver", WAIT, h::enteredBlocked);
        }
        long start = System.nanoTime();
        f.stop(c);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < HookRegistry.MAX_STOP_WAIT_MS + 1_500, "deactivation took " + tookMs + " ms");
        assertEquals(3, Fixture.hookThreads().size(), "left behind: " + Fixture.hookThreads());
        int savesBefore = f.store.saves.get();
        for (TestHook h : slow) {
            h.release();
        }
        Poll.until("the left threads ended", WAIT, () -> Fixture.hookThreads().isEmpty());
        assertEquals(savesBefore, f.store.saves.get(), "abandoned threads save nothing");
    }

    @Test
    void aStuckHookIsRemovedWithoutWaitingAndAnotherServiceTakesItsName() throws Exception {
        f = new Fixture(true, Fixture.SELF);
        f.store.add(0, EventType.CREATED, "k", f.now.get() - 1_000);
        HooksComponent c = f.start(Fixture.settings(100));
        TestHook stuck = new TestHook();
        stuck.blockInside();
        long id = f.register(c, stuck, "s", "earthwo.hook.timeout.ms", 100L);
        TestHook next = new TestHook();
        f.register(c, next, "s");
        Poll.until("stuck", WAIT, () -> c.hooks().get(0).state() == HookState.STUCK);

        long start = System.nanoTime();
        c.remove(id);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 1_000, "removal took " + tookMs + " ms");
        Poll.until("the other service delivers under the name", WAIT, () -> next.acknowledged.size() == 1);
        stuck.release();
        Poll.until("the stuck thread ended", WAIT, () -> Fixture.hookThreads().stream()
                .filter(t -> t.equals("earthwo-hook-s")).count() == 1);
        assertTrue(stuck.acknowledged.size() <= 1);
    }
}

package earthwo.ttl.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.ErrorCode;
import earthwo.api.testing.Poll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reaper component with its thread, over the fakes of {@link Fixture}. */
class ReaperTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<Reaper> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        started.forEach(Reaper::deactivate);
        Poll.until("no reaper thread left", WAIT, () -> !reaperThreadAlive());
    }

    private Reaper start(Fixture f, int inFlight) {
        Reaper r = new Reaper(f.store, f.cluster, f.kv, () -> f.sync, new TtlSettings(10, 100, inFlight), f.now::get);
        started.add(r);
        return r;
    }

    private static boolean reaperThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals(ReaperThread.NAME));
    }

    @Test
    void reapsExpiredKeysAsTheyExpireAndStopsItsThreadOnDeactivate() throws Exception {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.OTHER);
        f.expired(0, "k", 50, 100);
        f.expired(1, "replica", 5, 100);
        Reaper reaper = start(f, 16);
        assertTrue(reaperThreadAlive());

        Poll.until("50 keys reaped", WAIT, () -> reaper.stats().reaped.sum() == 50);
        // A key that expires later is reaped by a later pass.
        f.put(0, "later", f.now.get() + 1_000);
        f.now.addAndGet(1_001);
        Poll.until("the later key reaped", WAIT, () -> reaper.stats().reaped.sum() == 51);

        assertEquals(5, f.store.live(1), "never reaps as a replica");
        assertTrue(reaper.isRunning());
        Map<String, Object> status = reaper.status();
        assertEquals(51L, status.get("reaped"));
        assertEquals(true, status.get("reaper.running"));

        reaper.deactivate();
        started.remove(reaper);
        assertFalse(reaper.isRunning());
        Poll.until("no thread named " + ReaperThread.NAME, WAIT, () -> !reaperThreadAlive());
        assertEquals(false, reaper.status().get("reaper.running"));
    }

    @Test
    void keepsAtMostTheBoundInFlight() throws Exception {
        Fixture f = new Fixture(3, Fixture.SELF);
        f.expired(0, "k", 10, 100);
        f.kv.hold = true;
        Reaper reaper = start(f, 3);

        for (int done = 0; done < 10; done++) {
            // The reaper fills the bound (or what is left) and goes no further until one completes.
            int expected = Math.min(3, 10 - done);
            Poll.until(expected + " reaps in flight", WAIT, () -> f.kv.held() == expected);
            assertTrue(f.kv.completeOne());
        }
        Poll.until("10 keys reaped", WAIT, () -> reaper.stats().reaped.sum() == 10);
        assertEquals(3, f.kv.maxOutstanding.get(), "most reaps in flight at once");
        assertEquals(10, f.kv.calls.size(), "each key asked once: " + f.kv.keysAsked());
    }

    @Test
    void keepsRunningAfterReapsFail() throws Exception {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 5, 100);
        for (int i = 0; i < 4; i++) {
            f.kv.failNext.add(i % 2 == 0 ? ErrorCode.UNAVAILABLE : ErrorCode.WRONG_SEGMENT);
        }
        f.kv.throwNext.set(3);
        Reaper reaper = start(f, 16);

        Poll.until("every key reaped after the failures", WAIT, () -> f.store.live(0) == 0);
        assertEquals(7, reaper.stats().failures.sum());
        assertEquals(5, reaper.stats().reaped.sum());
        assertTrue(reaper.isRunning());
        assertEquals(7L, reaper.status().get("reap.failures"));
    }

    @Test
    void keepsRunningWhenTheStoreFails() throws Exception {
        Fixture f = new Fixture(16, Fixture.SELF);
        f.expired(0, "k", 5, 100);
        f.store.failure = new IllegalStateException("store reopening");
        Reaper reaper = start(f, 16);
        Poll.until("store errors counted", WAIT, () -> reaper.stats().errors.sum() >= 2);
        assertTrue(String.valueOf(reaper.status().get("keys.with.expiry")).startsWith("unavailable"));

        f.store.failure = null;
        Poll.until("keys reaped once the store is back", WAIT, () -> f.store.live(0) == 0);
        assertTrue(reaper.isRunning());
    }

    @Test
    void deactivationEndsTheThreadWhileReapsHangAndWaitsForThem() throws Exception {
        Fixture f = new Fixture(2, Fixture.SELF);
        f.expired(0, "k", 10, 100);
        f.kv.hold = true;
        Reaper reaper = start(f, 2);
        Poll.until("the reaper blocked on its in-flight bound", WAIT, () -> f.kv.held() == 2);

        Thread stopper = new Thread(reaper::deactivate, "test-deactivate");
        stopper.start();
        Poll.until("no thread named " + ReaperThread.NAME, WAIT, () -> !reaperThreadAlive());
        assertTrue(stopper.isAlive(), "deactivate returned with reaps still in flight");

        while (f.kv.completeOne()) {
            // let the two in flight finish
        }
        stopper.join(WAIT.toMillis());
        assertFalse(stopper.isAlive());
        started.remove(reaper);
        assertEquals(2, f.kv.calls.size(), "reaps started after deactivation: " + f.kv.keysAsked());
    }

    @Test
    void waitsForAntiEntropyOnSegmentsWithOtherReplicasAndSaysSoInStatus() throws Exception {
        Fixture f = new Fixture(16, Fixture.SELF, Fixture.SELF);
        f.expired(0, "k", 5, 100);
        f.expired(1, "j", 5, 100);
        f.sync = null;
        f.confirmed.clear();
        Reaper reaper = start(f, 16);

        Poll.until("a few passes", WAIT, () -> reaper.stats().passes.sum() >= 3);
        assertEquals(List.of(), f.kv.calls, "reaped without a confirmed copy");
        Map<String, Object> status = reaper.status();
        assertEquals(2, status.get(TtlStatus.SEGMENTS_AWAITING_SYNC));
        assertEquals(false, status.get(TtlStatus.REPLICA_SYNC_AVAILABLE));

        f.sync = f.fakeSync; // the replication bundle came
        f.confirmed.add(1);
        Poll.until("segment 1 reaped", WAIT, () -> f.store.live(1) == 0);
        assertEquals(5, f.store.live(0));
        assertEquals(1, reaper.status().get(TtlStatus.SEGMENTS_AWAITING_SYNC));
        assertEquals(true, reaper.status().get(TtlStatus.REPLICA_SYNC_AVAILABLE));

        f.confirmed.add(0);
        Poll.until("segment 0 reaped", WAIT, () -> f.store.live(0) == 0);
        assertEquals(0, reaper.status().get(TtlStatus.SEGMENTS_AWAITING_SYNC));
    }
}

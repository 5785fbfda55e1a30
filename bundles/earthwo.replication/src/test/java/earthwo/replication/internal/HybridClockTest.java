package earthwo.replication.internal;

import earthwo.api.Version;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HybridClockTest {

    @Test
    void versionsStrictlyIncreaseWhenTheWallClockStandsStill() {
        HybridClock clock = new HybridClock(1, () -> 1_000L);
        Version prev = clock.next();
        for (int i = 0; i < 100_000; i++) {
            Version v = clock.next();
            assertTrue(v.isNewerThan(prev), v + " after " + prev);
            prev = v;
        }
    }

    @Test
    void versionsNeverGoBackWhenTheWallClockDoes() {
        AtomicLong wall = new AtomicLong(10_000);
        HybridClock clock = new HybridClock(1, wall::get);
        Version before = clock.next();
        wall.set(5_000);
        assertTrue(clock.next().isNewerThan(before));
    }

    @Test
    void aClockThirtySecondsBehindStampsAfterWhatItObserved() {
        HybridClock behind = new HybridClock(1, () -> 70_000L);
        HybridClock ahead = new HybridClock(2, () -> 100_000L);
        Version fromAhead = ahead.next();
        behind.observe(fromAhead);
        Version mine = behind.next();
        assertTrue(mine.isNewerThan(fromAhead));
        assertEquals(100_000L, mine.wallMillis());
        assertEquals(30_000L, behind.driftMillis());
    }

    @Test
    void concurrentStampsAreUnique() throws Exception {
        HybridClock clock = new HybridClock(1, System::currentTimeMillis);
        Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 50_000; i++) {
                    assertTrue(seen.add(clock.next().timestamp()));
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(200_000, seen.size());
    }
}

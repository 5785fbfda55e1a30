package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Version;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HybridClockTest {

    private static final long MAX_OFFSET_MS = 60_000;

    private static HybridClock clock(int node, LongSupplier wall) {
        return new HybridClock(node, wall, new VersionGuard(node, wall, MAX_OFFSET_MS));
    }

    @Test
    void versionsStrictlyIncreaseWhenTheWallClockStandsStill() {
        HybridClock clock = clock(1, () -> 1_000L);
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
        HybridClock clock = clock(1, wall::get);
        Version before = clock.next();
        wall.set(5_000);
        assertTrue(clock.next().isNewerThan(before));
    }

    @Test
    void aClockThirtySecondsBehindStampsAfterWhatItObserved() {
        HybridClock behind = clock(1, () -> 70_000L);
        HybridClock ahead = clock(2, () -> 100_000L);
        Version fromAhead = ahead.next();
        behind.observe(fromAhead);
        Version mine = behind.next();
        assertTrue(mine.isNewerThan(fromAhead));
        assertEquals(100_000L, mine.wallMillis());
        assertEquals(30_000L, behind.driftMillis());
    }

    @Test
    void concurrentStampsAreUnique() throws Exception {
        HybridClock clock = clock(1, System::currentTimeMillis);
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

    @Test
    void aVersionBeyondTheMaximumOffsetIsNotFollowed() {
        HybridClock clock = clock(1, () -> 100_000L);
        Version tenYearsAhead = Version.of(100_000L + 315_360_000_000L, 0, 2);
        assertFalse(clock.observe(tenYearsAhead));
        assertEquals(0, clock.driftMillis());
        assertEquals(100_000L, clock.next().wallMillis());
        assertTrue(clock.observe(Version.of(100_000L + MAX_OFFSET_MS, 5, 2)), "just within the offset");
        assertEquals(MAX_OFFSET_MS, clock.driftMillis());
    }

    @Test
    void timestampsWithTheHighBitSetAreRefusedNotWrappedAround() {
        HybridClock clock = clock(1, () -> 100_000L);
        assertFalse(clock.observe(new Version(0x7fffffffffffffffL, 2)));
        assertFalse(clock.observe(new Version(0xffffffffffffffffL, 2)));
        Version a = clock.next();
        Version b = clock.next();
        assertTrue(b.isNewerThan(a));
        assertEquals(100_000L, b.wallMillis());
    }

    @Test
    void aWallClockSetBackBeyondTheOffsetStampsNothingUntilItCatchesUp() {
        AtomicLong wall = new AtomicLong(1_000_000);
        HybridClock clock = clock(1, wall::get);
        Version before = clock.next();
        wall.set(1_000_000 - MAX_OFFSET_MS - 1_000);
        EarthwoException e = assertThrows(EarthwoException.class, clock::next);
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("ahead of its wall clock"), e.getMessage());
        wall.set(1_000_000 - 30_000);
        assertTrue(clock.next().isNewerThan(before), "within the offset again: stamps after what it stamped");
    }
}

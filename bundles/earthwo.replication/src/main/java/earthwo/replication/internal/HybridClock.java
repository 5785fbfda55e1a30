package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Version;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock: stamps versions that follow wall-clock time when it moves forward and
 * never go backwards, and that exceed every version this node has observed. A node whose clock
 * runs behind therefore still orders its own writes after the ones it has seen.
 *
 * <p>It never runs more than the {@link VersionGuard}'s maximum offset ahead of the wall clock:
 * a version further ahead is not observed, and when the wall clock has fallen that far behind
 * the clock (it was set back) no version is stamped until it catches up. Timestamps compare
 * unsigned, as {@link Version} orders them.
 */
final class HybridClock {

    private static final int COUNTER_BITS = 16;
    private static final long COUNTER_MAX = (1L << COUNTER_BITS) - 1;

    private final int nodeId;
    private final LongSupplier wallClock;
    private final VersionGuard guard;
    /** Last packed timestamp handed out or observed. */
    private final AtomicLong last = new AtomicLong();

    HybridClock(int nodeId, LongSupplier wallClock, VersionGuard guard) {
        this.nodeId = nodeId;
        this.wallClock = wallClock;
        this.guard = guard;
    }

    /** A version greater than every version stamped or observed so far. */
    Version next() {
        long physical = wallClock.getAsLong() << COUNTER_BITS;
        while (true) {
            long prev = last.get();
            long candidate = Long.compareUnsigned(physical, prev) > 0 ? physical : increment(prev);
            if (Long.compareUnsigned(candidate, guard.limit()) > 0) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "node " + nodeId + "'s hybrid clock is "
                        + ((prev >>> COUNTER_BITS) - wallClock.getAsLong()) + " ms ahead of its wall clock, more than "
                        + guard.maxOffsetMs() + " ms (earthwo.clock.max.offset.ms): it coordinates no write until the"
                        + " wall clock catches up");
            }
            if (last.compareAndSet(prev, candidate)) {
                return new Version(candidate, nodeId);
            }
        }
    }

    /**
     * Moves the clock past a version seen elsewhere (a replica's write, a stored record).
     *
     * @return false, leaving the clock as it is, when the version is too far ahead to be followed
     */
    boolean observe(Version seen) {
        if (!guard.isPlausible(seen)) {
            return false;
        }
        long ts = seen.timestamp();
        last.accumulateAndGet(ts, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
        return true;
    }

    int nodeId() {
        return nodeId;
    }

    /** How far the logical clock is ahead of the wall clock, in ms (0 when in step). */
    long driftMillis() {
        return Math.max(0, (last.get() >>> COUNTER_BITS) - wallClock.getAsLong());
    }

    private static long increment(long packed) {
        // When the counter of a millisecond is exhausted, borrow the next millisecond: the
        // logical clock runs slightly ahead of the wall clock instead of repeating a version.
        return (packed & COUNTER_MAX) == COUNTER_MAX ? ((packed >>> COUNTER_BITS) + 1) << COUNTER_BITS : packed + 1;
    }
}

package earthwo.replication.internal;

import earthwo.api.Version;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock: stamps versions that follow wall-clock time when it moves forward and
 * never go backwards, and that exceed every version this node has observed. A node whose clock
 * runs behind therefore still orders its own writes after the ones it has seen.
 */
final class HybridClock {

    private static final int COUNTER_BITS = 16;
    private static final long COUNTER_MAX = (1L << COUNTER_BITS) - 1;

    private final int nodeId;
    private final LongSupplier wallClock;
    /** Last packed timestamp handed out or observed. */
    private final AtomicLong last = new AtomicLong();

    HybridClock(int nodeId, LongSupplier wallClock) {
        this.nodeId = nodeId;
        this.wallClock = wallClock;
    }

    /** A version greater than every version stamped or observed so far. */
    Version next() {
        long physical = wallClock.getAsLong() << COUNTER_BITS;
        while (true) {
            long prev = last.get();
            long candidate = physical > prev ? physical : increment(prev);
            if (last.compareAndSet(prev, candidate)) {
                return new Version(candidate, nodeId);
            }
        }
    }

    /** Moves the clock past a version seen elsewhere (a replica's write, a stored record). */
    void observe(Version seen) {
        long ts = seen.timestamp();
        last.accumulateAndGet(ts, Math::max);
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

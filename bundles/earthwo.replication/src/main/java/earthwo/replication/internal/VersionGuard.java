package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Keeps versions from the future out of this node. A version carries the wall clock of the node
 * that stamped it and wins over every smaller one for ever: one stamped ten years ahead (a clock
 * that jumped, or a forged message) would make every later write of its key lose, and would drag
 * the hybrid clock of every node that observes it ahead with it. So a version more than the
 * maximum clock offset ahead of this node's wall clock is refused wherever one enters the node:
 * replica writes, read repair and anti-entropy. Refusals are counted and logged with node,
 * segment, key and offset, at most one line per {@value #LOG_INTERVAL_MS} ms.
 */
public final class VersionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(VersionGuard.class);
    private static final int COUNTER_BITS = 16;
    static final long LOG_INTERVAL_MS = 10_000;

    private final int nodeId;
    private final LongSupplier wallClock;
    private final long maxOffsetMs;
    private final LongAdder refused = new LongAdder();
    private final AtomicLong lastLogAt = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong refusedSinceLog = new AtomicLong();

    public VersionGuard(int nodeId, LongSupplier wallClock, long maxOffsetMs) {
        this.nodeId = nodeId;
        this.wallClock = wallClock;
        this.maxOffsetMs = maxOffsetMs;
    }

    /** The largest packed HLC timestamp acceptable now: the wall clock plus the maximum offset. */
    long limit() {
        return ((wallClock.getAsLong() + maxOffsetMs) << COUNTER_BITS) | ((1L << COUNTER_BITS) - 1);
    }

    long maxOffsetMs() {
        return maxOffsetMs;
    }

    /** True when the version is not too far ahead (compared unsigned, as versions are ordered). */
    boolean isPlausible(Version v) {
        return Long.compareUnsigned(v.timestamp(), limit()) <= 0;
    }

    /** Throws CLOCK_SKEW, counted and logged, when the record's version is too far ahead. */
    public void check(Record r, int segment, String source) {
        if (!isPlausible(r.version())) {
            throw refusal(r, segment, source);
        }
    }

    /** False, counted and logged, when the record's version is too far ahead: the caller skips it. */
    public boolean accept(Record r, int segment, String source) {
        if (isPlausible(r.version())) {
            return true;
        }
        refusal(r, segment, source);
        return false;
    }

    /** Versions refused since this guard was made. */
    public long refused() {
        return refused.sum();
    }

    private EarthwoException refusal(Record r, int segment, String source) {
        refused.increment();
        String message = "version " + r.version() + " of key " + Keys.printable(r.key()) + " from " + source + " is "
                + aheadMillis(r.version()) + " ms ahead of node " + nodeId + "'s clock; at most " + maxOffsetMs
                + " ms is accepted (earthwo.clock.max.offset.ms)";
        long now = System.currentTimeMillis();
        long last = lastLogAt.get();
        if (now - last >= LOG_INTERVAL_MS && lastLogAt.compareAndSet(last, now)) {
            long more = refusedSinceLog.getAndSet(0);
            LOG.warn("node {} segment {}: refused {}{}", nodeId, segment, message,
                    more > 0 ? " (and " + more + " more refusals since the last line)" : "");
        } else {
            refusedSinceLog.incrementAndGet();
        }
        return new EarthwoException(ErrorCode.CLOCK_SKEW, message);
    }

    /** How far the version's wall-clock part is ahead of this node's clock, in ms. */
    long aheadMillis(Version v) {
        return (v.timestamp() >>> COUNTER_BITS) - wallClock.getAsLong();
    }
}

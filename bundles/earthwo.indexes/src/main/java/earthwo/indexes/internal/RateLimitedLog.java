package earthwo.indexes.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides when a recurring event earns a log line: the first at once, then at most one line per
 * interval, each reporting how many events happened since the line before: an extractor that
 * fails on every record of a bulk load would otherwise bury the log. (A copy of the hooks
 * bundle's: bundles share only the api.)
 *
 * <p>The caller logs with its own context: {@code long n = limit.event(); if (n > 0) LOG.warn(…, n)}.
 */
final class RateLimitedLog {

    static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong nextLineAt;

    RateLimitedLog() {
        this(MINUTE_NANOS, System::nanoTime);
    }

    RateLimitedLog(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
        this.nextLineAt = new AtomicLong(nanoClock.getAsLong());
    }

    /** Counts one event; returns 0 when no line is due, else the events the line reports. */
    long event() {
        pending.incrementAndGet();
        long now = nanoClock.getAsLong();
        long due = nextLineAt.get();
        if (now - due < 0 || !nextLineAt.compareAndSet(due, now + intervalNanos)) {
            return 0;
        }
        return pending.getAndSet(0);
    }
}

package earthwo.api.logging;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Decides when a recurring event earns a log line: the first at once, then at most one line per
 * interval (a minute), each reporting how many events happened since the line before. A full
 * disk fails every write a node receives, an extractor may fail on every record of a bulk load,
 * a hook that is down fails every attempt: a line (and a stack trace) each would grow the log by
 * megabytes a minute and bury everything else in it. Shared by the bundles through the API.
 *
 * <p>The caller logs, with its own context: {@code long n = limit.event(); if (n > 0) LOG.warn(…, n)}.
 */
public final class RateLimitedLog {

    public static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long intervalNanos;
    private final LongSupplier clock;
    /** Events not yet reported by a line. */
    private final AtomicLong pending = new AtomicLong();
    /** When the next line may be written ({@link System#nanoTime()} scale). */
    private final AtomicLong nextLineAt;
    private final LongAdder lines = new LongAdder();

    /** One line a minute at most. */
    public RateLimitedLog() {
        this(MINUTE_NANOS, System::nanoTime);
    }

    /** At most one line per {@code intervalNanos} of {@code clock} ({@link System#nanoTime()} scale). */
    public RateLimitedLog(long intervalNanos, LongSupplier clock) {
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.nextLineAt = new AtomicLong(clock.getAsLong());
    }

    /**
     * Counts one event. Returns 0 when no line is due; otherwise the caller writes one line
     * reporting the returned number of events (this one and those since the last line).
     */
    public long event() {
        pending.incrementAndGet();
        long now = clock.getAsLong();
        long due = nextLineAt.get();
        if (now - due < 0 || !nextLineAt.compareAndSet(due, now + intervalNanos)) {
            return 0;
        }
        lines.increment();
        return pending.getAndSet(0);
    }

    /** Lines granted so far. */
    public long lines() {
        return lines.sum();
    }
}

package earthwo.ttl.internal;

import earthwo.api.logging.RateLimitedLog;
import earthwo.api.EarthwoException;
import earthwo.api.Keys;
import earthwo.api.Kv;
import earthwo.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

/**
 * Issues one reap ({@link Kv#reapAsync}) within the in-flight bound and accounts for its outcome:
 * a deletion with its lag, a failure (counted and logged, rate-limited, with node, segment and
 * key), or nothing deleted because the key changed meanwhile. A failed reap is not retried here:
 * its index entry stays, so a later pass finds the key again (on whichever node is then master).
 */
final class ReapDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(ReapDispatcher.class);

    /** Outcome of {@link #reap}. */
    enum Issued {
        /** The reap was started; its completion is accounted for when it comes. */
        STARTED,
        /** A reap of this key is still in flight (from an earlier pass). */
        ALREADY_IN_FLIGHT,
        /** The reaper is stopping: the caller ends its pass. */
        CLOSING
    }

    private final Kv kv;
    private final InFlight inFlight;
    private final ReapStats stats;
    private final LongSupplier clock;
    private final int nodeId;
    private final RateLimitedLog failureLog;

    ReapDispatcher(Kv kv, InFlight inFlight, ReapStats stats, LongSupplier clock, int nodeId, RateLimitedLog failureLog) {
        this.kv = kv;
        this.inFlight = inFlight;
        this.stats = stats;
        this.clock = clock;
        this.nodeId = nodeId;
        this.failureLog = failureLog;
    }

    boolean isInFlight(int segment, byte[] key) {
        return inFlight.contains(new SegmentKey(segment, key));
    }

    int inFlight() {
        return inFlight.size();
    }

    /**
     * Reaps the expired {@code record} of the key: waits for an in-flight slot, then calls
     * {@link Kv#reapAsync}. {@code onDeleted} runs once the key was deleted.
     */
    Issued reap(int segment, Record record, Runnable onDeleted) {
        SegmentKey slot = new SegmentKey(segment, record.key());
        if (!inFlight.acquire(slot)) {
            return inFlight.isClosed() ? Issued.CLOSING : Issued.ALREADY_IN_FLIGHT;
        }
        CompletionStage<Boolean> reap;
        try {
            reap = kv.reapAsync(record.key(), record.version());
        } catch (RuntimeException e) {
            reap = CompletableFuture.failedFuture(e); // a broken Kv must not end the pass
        }
        reap.whenComplete((deleted, failure) -> {
            try {
                account(segment, record, deleted, failure, onDeleted);
            } finally {
                inFlight.release(slot);
            }
        });
        return Issued.STARTED;
    }

    private void account(int segment, Record record, Boolean deleted, Throwable failure, Runnable onDeleted) {
        if (failure != null) {
            stats.failures.increment();
            long n = failureLog.event();
            if (n > 0) {
                LOG.warn("node {} segment {} key {}: reap failed: {}; a later pass tries again ({} failed reaps"
                        + " since the last line about them)", nodeId, segment, Keys.printable(record.key()),
                        describe(failure), n);
            }
        } else if (Boolean.TRUE.equals(deleted)) {
            stats.reaped.increment();
            stats.lag.record(clock.getAsLong() - record.expiresAt());
            onDeleted.run();
        } else {
            stats.notReaped.increment();
            LOG.debug("node {} segment {} key {}: not reaped, it changed since it expired", nodeId, segment,
                    Keys.printable(record.key()));
        }
    }

    /** The typed error's message (it starts with its code), else the exception as it is. */
    static String describe(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof EarthwoException ? t.getMessage() : t.toString();
    }
}

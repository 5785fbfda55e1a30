package earthwo.storage.internal;

import earthwo.api.logging.RateLimitedLog;
import com.sleepycat.je.Environment;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Brings a store back after its JE environment failed. A failed write to the log (ENOSPC, an I/O
 * error) or an interrupt inside JE makes the whole environment invalid: every later operation,
 * reads included, throws {@code EnvironmentFailureException} until the environment is closed and
 * opened again. Every acknowledged write is in JE's log, so opening it again recovers them.
 *
 * <p>From the first failure of an environment on, requests get UNAVAILABLE (clients retry) and
 * the store is reopened in the background: after 1 s, then with the delay doubling up to 30 s
 * while the open fails (a disk still full). Each kind of line is logged at most once a minute,
 * with the number of refused requests or failed attempts since the line before.
 */
final class EnvironmentReopener {

    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentReopener.class);
    /**
     * The first attempt waits a second, so that callers still between an applyDeferred in the
     * failed environment and their durable() reach its group commit, which fails them, rather
     * than the new environment's, which would acknowledge a commit it does not hold. (The I/O
     * threads' commit bursts stay with the environment they began in whatever the timing.)
     */
    static final long FIRST_DELAY_MS = 1_000;
    static final long MAX_DELAY_MS = 30_000;

    /** The store whose environment this reopens. */
    interface Target {
        /** The environment requests use now. */
        Environment current();

        /**
         * Closes the failed environment (once its operations ended) and opens a new one in its
         * place; false if the store is closed (nothing to reopen). Throws if the open fails.
         */
        boolean reopen(Environment failed);
    }

    private final Path dir;
    private final ScheduledExecutorService upkeep;
    private final Target store;
    /** The failed environment a reopen is scheduled for; null while the current one is sound. */
    private final AtomicReference<Environment> failed = new AtomicReference<>();
    private volatile String failure;
    private volatile long refusalsAtFailure;
    private final LongAdder reopens = new LongAdder();
    private final LongAdder refusals = new LongAdder();
    private final RateLimitedLog failureLines = new RateLimitedLog();
    private final RateLimitedLog refusalLines = new RateLimitedLog();
    private final RateLimitedLog attemptLines = new RateLimitedLog();

    EnvironmentReopener(Path dir, ScheduledExecutorService upkeep, Target store) {
        this.dir = dir;
        this.upkeep = upkeep;
        this.store = store;
    }

    /**
     * An operation found {@code env} invalid ({@code cause}, as JE threw it): schedules its reopen
     * if it is the current environment and none is scheduled, and returns the error for the caller.
     */
    EarthwoException failed(Environment env, RuntimeException cause) {
        Environment before = failed.get();
        // An older environment still noted here was replaced already; its reopen only has to clear the note.
        if (before != env && env == store.current() && failed.compareAndSet(before, env)) {
            failure = String.valueOf(cause.getMessage());
            refusalsAtFailure = refusals.sum();
            long n = failureLines.event();
            if (n > 0) {
                // The stack once per failure, not per request; JE's message names the cause (e.g. ENOSPC).
                LOG.error("storage store {}: its JE environment failed ({} failures since the last line); requests get "
                        + "UNAVAILABLE until it is reopened, first attempt in {} ms", dir, n, FIRST_DELAY_MS, cause);
            }
            schedule(env, 1, FIRST_DELAY_MS, System.nanoTime());
        }
        return refused();
    }

    /** A request that came while the environment is being reopened: counted, logged once a minute. */
    EarthwoException refused() {
        refusals.increment();
        long n = refusalLines.event();
        if (n > 0) {
            LOG.warn("storage store {}: JE environment being reopened after a failure; {} requests refused since the last line",
                    dir, n);
        }
        return new EarthwoException(ErrorCode.UNAVAILABLE, "storage of store " + dir
                + " is reopening its JE environment after a failure (" + failure + "); retry");
    }

    private void schedule(Environment env, int attempt, long delayMs, long since) {
        try {
            upkeep.schedule(() -> attempt(env, attempt, delayMs, since), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the store is closing: nothing to reopen
        }
    }

    private void attempt(Environment env, int attempt, long delayMs, long since) {
        try {
            if (!store.reopen(env)) {
                return;
            }
        } catch (RuntimeException e) {
            long next = Math.min(MAX_DELAY_MS, delayMs * 2);
            long n = attemptLines.event();
            if (n > 0) {
                LOG.warn("storage store {}: reopening its JE environment failed (attempt {}, {} failed attempts since the "
                        + "last line), next attempt in {} ms: {}", dir, attempt, n, next, e.getMessage());
            }
            schedule(env, attempt + 1, next, since);
            return;
        }
        failed.compareAndSet(env, null); // unless the new environment failed already and noted itself
        reopens.increment();
        LOG.info("storage store {}: JE environment reopened at attempt {}, {} ms after it failed; {} requests refused meanwhile",
                dir, attempt, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since), refusals.sum() - refusalsAtFailure);
    }

    /** Whether the current environment failed and is not yet reopened. */
    boolean reopening() {
        return failed.get() != null;
    }

    /** What the environment being reopened failed of, or null. */
    String failure() {
        return reopening() ? failure : null;
    }

    /** Successful reopens since the store opened. */
    long reopens() {
        return reopens.sum();
    }

    /** Requests refused because the environment had failed. */
    long refusals() {
        return refusals.sum();
    }

    /** Log lines written about refused requests (at most one a minute). */
    long refusalLines() {
        return refusalLines.lines();
    }
}

package earthwo.hooks.internal;

import earthwo.api.logging.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * Watches one hook's {@code deliver} calls for one that does not return. The delivery timeout
 * covers only the stage a call returns: a call that blocks holds the hook's thread for as long as
 * it blocks, and with it the hook's positions (its outbox is not trimmed past them). Such a call
 * makes the hook {@link HookState#STUCK} once it has run longer than the hook's timeout; the
 * housekeeping thread {@linkplain #check() checks} and logs that once (rate-limited), and the
 * hook's thread logs when the call returns after all.
 */
final class CallWatch {

    private static final Logger LOG = LoggerFactory.getLogger(CallWatch.class);

    private final int nodeId;
    private final String name;
    private final long timeoutMs;
    private final LongSupplier nanoClock;
    private final RateLimitedLog stuckLog;
    private boolean calling;
    private long startedAt;
    /** The current call was counted as stuck (once per call). */
    private boolean counted;
    /** The current call was logged as stuck: its return is logged too. */
    private boolean reported;

    CallWatch(int nodeId, String name, long timeoutMs) {
        this(nodeId, name, timeoutMs, System::nanoTime, new RateLimitedLog());
    }

    CallWatch(int nodeId, String name, long timeoutMs, LongSupplier nanoClock, RateLimitedLog stuckLog) {
        this.nodeId = nodeId;
        this.name = name;
        this.timeoutMs = timeoutMs;
        this.nanoClock = nanoClock;
        this.stuckLog = stuckLog;
    }

    /** The hook's thread is about to call deliver. */
    synchronized void begin() {
        calling = true;
        startedAt = nanoClock.getAsLong();
        counted = false;
        reported = false;
    }

    /** The call returned (normally or not). */
    void end() {
        long tookMs;
        synchronized (this) {
            calling = false;
            if (!reported) {
                return;
            }
            reported = false;
            tookMs = (nanoClock.getAsLong() - startedAt) / 1_000_000;
        }
        LOG.info("node {} hook '{}': its deliver call returned after {} ms; the hook is no longer stuck", nodeId, name,
                tookMs);
    }

    /** How long the current call has run, in ms, when that is longer than the timeout; else 0. */
    synchronized long stuckMillis() {
        if (!calling) {
            return 0;
        }
        long ms = (nanoClock.getAsLong() - startedAt) / 1_000_000;
        return ms > timeoutMs ? ms : 0;
    }

    boolean isStuck() {
        return stuckMillis() > 0;
    }

    /** Logs a call that has become stuck, once per call (rate-limited over calls). True if it is stuck. */
    boolean check() {
        long ms;
        long n;
        synchronized (this) {
            ms = stuckMillis();
            if (ms == 0 || counted) {
                return ms > 0;
            }
            counted = true;
            n = stuckLog.event();
            if (n == 0) {
                return true;
            }
            reported = true;
        }
        LOG.warn("node {} hook '{}': its deliver call has not returned for {} ms (timeout {} ms): the hook is stuck."
                + " It holds its own thread and its positions (the outbox is not trimmed past them; when it is full,"
                + " the oldest events go and the hook gets a GAP); other hooks go on ({} stuck calls of this hook since"
                + " the last line about them)", nodeId, name, ms, timeoutMs, n);
        return true;
    }
}

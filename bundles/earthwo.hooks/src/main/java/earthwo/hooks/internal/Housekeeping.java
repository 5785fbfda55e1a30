package earthwo.hooks.internal;

import earthwo.api.logging.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's one background thread ({@value #NAME}) besides the hooks' own: sends
 * positions to replicas every sync interval, and every {@value #TRIM_INTERVAL_MS} ms looks for
 * hooks stuck inside a deliver call (to log them) and trims the outboxes. A round that fails is
 * logged (rate-limited) and the next one follows. Stopped through its {@link Signal}, never
 * interrupted: it reads and writes the store.
 */
final class Housekeeping {

    static final String NAME = "earthwo-hooks-housekeeping";
    static final long TRIM_INTERVAL_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    private final Runnable sync;
    private final long syncIntervalMs;
    private final Runnable trim;
    private final Runnable watch;
    private final int nodeId;
    private final Signal signal = new Signal();
    private final RateLimitedLog errorLog = new RateLimitedLog();
    private final Thread thread;

    Housekeeping(Runnable sync, long syncIntervalMs, Runnable trim, Runnable watch, int nodeId) {
        this.sync = sync;
        this.syncIntervalMs = syncIntervalMs;
        this.trim = trim;
        this.watch = watch;
        this.nodeId = nodeId;
        this.thread = new Thread(this::run, NAME);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks the thread to stop; returns at once. */
    void requestStop() {
        signal.stop();
    }

    /** Stops the thread and waits for it up to {@code timeoutMillis}; true if it ended. */
    boolean stop(long timeoutMillis) {
        signal.stop();
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("node {}: {} still runs {} ms after it was asked to stop", nodeId, NAME, timeoutMillis);
            return false;
        }
        return true;
    }

    private void run() {
        long nextSync = System.nanoTime();
        long nextTrim = nextSync;
        while (!signal.isStopped()) {
            long now = System.nanoTime();
            if (now - nextSync >= 0) {
                runSafely(sync, "sending hook positions to replicas");
                nextSync = now + syncIntervalMs * 1_000_000;
            }
            if (now - nextTrim >= 0 && !signal.isStopped()) {
                runSafely(watch, "looking for stuck hooks");
                runSafely(trim, "trimming the outboxes");
                nextTrim = now + TRIM_INTERVAL_MS * 1_000_000;
            }
            long wait = Math.min(nextSync, nextTrim) - System.nanoTime();
            if (wait > 0) {
                signal.await(Math.max(1, wait / 1_000_000));
            }
        }
    }

    private void runSafely(Runnable task, String what) {
        try {
            task.run();
        } catch (RuntimeException e) {
            long n = errorLog.event();
            if (n > 0) {
                LOG.warn("node {}: {} failed; the next round follows ({} such errors since the last line about them)",
                        nodeId, what, n, e);
            }
        }
    }
}

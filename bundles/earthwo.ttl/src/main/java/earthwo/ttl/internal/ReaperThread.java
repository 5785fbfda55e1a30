package earthwo.ttl.internal;

import earthwo.api.logging.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reaper's one daemon thread ({@value #NAME}): runs a {@link ReapPass} every interval until
 * stopped. A pass that fails is logged and the thread goes on; while reaps only fail (a failover,
 * a store reopening) the pause doubles up to {@value #BACKOFF_CAP_MS} ms (or the interval if longer), since asking again at
 * once only adds load to a node that answers UNAVAILABLE.
 *
 * <p>{@link #stop} never interrupts the thread (see {@link StopSignal}): it sets the signal the
 * pause waits on and closes the in-flight bound a waiting reap blocks on; passes check the signal
 * between entries.
 */
final class ReaperThread {

    static final String NAME = "earthwo-ttl-reaper";
    /** The longest pause while every reap fails, unless the interval is longer. */
    static final long BACKOFF_CAP_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(ReaperThread.class);

    private final Runnable pass;
    private final ReapStats stats;
    private final long intervalMillis;
    private final long maxBackoffMillis;
    private final InFlight inFlight;
    private final int nodeId;
    private final RateLimitedLog errorLog;
    private final StopSignal stop;
    private final Thread thread;

    ReaperThread(Runnable pass, StopSignal stop, ReapStats stats, long intervalMillis, InFlight inFlight, int nodeId,
                 RateLimitedLog errorLog) {
        this.pass = pass;
        this.stop = stop;
        this.stats = stats;
        this.intervalMillis = intervalMillis;
        this.maxBackoffMillis = Math.max(intervalMillis, BACKOFF_CAP_MS);
        this.inFlight = inFlight;
        this.nodeId = nodeId;
        this.errorLog = errorLog;
        this.thread = new Thread(this::run, NAME);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean isRunning() {
        return thread.isAlive() && !stop.isSet();
    }

    /**
     * Stops the thread and waits for it, then for the reaps still in flight (their completions
     * use this bundle's classes, which must not run after the bundle went away); each wait at
     * most {@code timeoutMillis}. Returns true if both ended in time.
     */
    boolean stop(long timeoutMillis) {
        stop.set();
        inFlight.close();
        boolean ended = true;
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("node {}: the reaper thread still runs {} ms after it was asked to stop", nodeId, timeoutMillis);
            ended = false;
        }
        if (!inFlight.awaitEmpty(timeoutMillis)) {
            LOG.warn("node {}: {} reaps still in flight {} ms after the reaper stopped", nodeId, inFlight.size(),
                    timeoutMillis);
            ended = false;
        }
        return ended;
    }

    private void run() {
        long pause = intervalMillis;
        while (!stop.isSet()) {
            long reapedBefore = stats.reaped.sum();
            long failedBefore = stats.failures.sum();
            long start = System.nanoTime();
            try {
                pass.run();
            } catch (RuntimeException e) {
                stats.errors.increment();
                long n = errorLog.event();
                if (n > 0) {
                    LOG.warn("node {}: reaper pass failed; the next one follows ({} such errors since the last line about"
                            + " them)", nodeId, n, e);
                }
            }
            stats.passDone((System.nanoTime() - start) / 1_000_000);
            // Completions of this pass's reaps arrive during the pause; judge the pass before by them.
            boolean onlyFailures = stats.reaped.sum() == reapedBefore && stats.failures.sum() > failedBefore;
            pause = onlyFailures ? Math.min(pause * 2, maxBackoffMillis) : intervalMillis;
            if (stop.await(pause)) {
                return;
            }
        }
    }
}

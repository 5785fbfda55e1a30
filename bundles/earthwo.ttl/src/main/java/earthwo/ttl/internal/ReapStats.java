package earthwo.ttl.internal;

import java.util.concurrent.atomic.LongAdder;

/** What the reaper did since its component started; read by the "ttl" status. */
final class ReapStats {

    /** Keys deleted by a reap. */
    final LongAdder reaped = new LongAdder();
    /** Reaps that failed (UNAVAILABLE, WRONG_SEGMENT, ...); the key is found again by a later pass. */
    final LongAdder failures = new LongAdder();
    /** Reaps that deleted nothing: the key changed between the index read and the reap. */
    final LongAdder notReaped = new LongAdder();
    /** Index entries skipped because the stored record no longer matched (re-put, expiry changed). */
    final LongAdder skipped = new LongAdder();
    /** Failures of the reaper itself (store reads), not of a reap. */
    final LongAdder errors = new LongAdder();
    final LongAdder passes = new LongAdder();
    final LagWindow lag = new LagWindow();
    private volatile long lastPassMillis = -1;

    void passDone(long millis) {
        passes.increment();
        lastPassMillis = millis;
    }

    /** Duration of the last pass in ms, -1 before the first. */
    long lastPassMillis() {
        return lastPassMillis;
    }
}

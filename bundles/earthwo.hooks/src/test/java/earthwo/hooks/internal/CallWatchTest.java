package earthwo.hooks.internal;

import earthwo.api.logging.RateLimitedLog;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** A deliver call that does not return: stuck past the timeout, counted once per call, rate-limited. */
class CallWatchTest {

    private static final long MS = 1_000_000;

    @Test
    void aCallIsStuckOnlyPastTheTimeoutAndUntilItReturns() {
        AtomicLong nanos = new AtomicLong(1_000 * MS);
        CallWatch w = new CallWatch(1, "h", 100, nanos::get, new RateLimitedLog(RateLimitedLog.MINUTE_NANOS, nanos::get));
        assertEquals(0, w.stuckMillis());
        assertFalse(w.check(), "no call, not stuck");
        w.begin();
        nanos.addAndGet(100 * MS);
        assertFalse(w.isStuck(), "at the timeout: not yet");
        assertFalse(w.check());
        nanos.addAndGet(MS);
        assertTrue(w.isStuck());
        assertEquals(101, w.stuckMillis());
        assertTrue(w.check());
        assertTrue(w.check(), "still stuck, logged once");
        w.end();
        assertFalse(w.isStuck());
        assertEquals(0, w.stuckMillis());
        assertFalse(w.check());
    }

    @Test
    void eachStuckCallCountsOnceAndLinesAreRateLimited() {
        AtomicLong nanos = new AtomicLong(1_000 * MS);
        RateLimitedLog log = new RateLimitedLog(RateLimitedLog.MINUTE_NANOS, nanos::get);
        CallWatch w = new CallWatch(1, "h", 100, nanos::get, log);
        for (int call = 0; call < 3; call++) {
            w.begin();
            nanos.addAndGet(200 * MS);
            for (int i = 0; i < 5; i++) {
                assertTrue(w.check());
            }
            w.end();
        }
        // The first call got a line; the other two were counted once each, for the next line.
        nanos.addAndGet(RateLimitedLog.MINUTE_NANOS);
        assertEquals(3, log.event(), "two stuck calls since the line, plus this event");
    }
}

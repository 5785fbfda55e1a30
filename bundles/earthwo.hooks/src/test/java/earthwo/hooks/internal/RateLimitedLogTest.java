package earthwo.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    @Test
    void firstEventAtOnceThenOneLinePerIntervalCountingTheEventsBetween() {
        AtomicLong nanos = new AtomicLong(5);
        RateLimitedLog log = new RateLimitedLog(1_000, nanos::get);
        assertEquals(1, log.event());
        assertEquals(0, log.event());
        assertEquals(0, log.event());
        nanos.addAndGet(999);
        assertEquals(0, log.event());
        nanos.addAndGet(1);
        assertEquals(4, log.event(), "the three held back and this one");
        assertEquals(0, log.event());
    }
}

package earthwo.api.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final RateLimitedLog limit = new RateLimitedLog(RateLimitedLog.MINUTE_NANOS, now::get);

    @Test
    void theFirstEventIsLoggedAtOnceThenOneLineAMinuteCountsTheEventsSince() {
        assertEquals(1, limit.event(), "the first event gets its line");
        for (int i = 0; i < 999; i++) {
            assertEquals(0, limit.event(), "no line within the minute");
        }
        now.addAndGet(RateLimitedLog.MINUTE_NANOS - 1);
        assertEquals(0, limit.event());
        now.addAndGet(1);
        assertEquals(1_001, limit.event(), "the line reports every event since the last one, this one included");
        assertEquals(2, limit.lines());
        now.addAndGet(10 * RateLimitedLog.MINUTE_NANOS);
        assertEquals(1, limit.event(), "after a quiet spell the next event is logged at once");
        assertEquals(3, limit.lines());
    }

    @Test
    void concurrentEventsGetOneLineAndNoEventIsLost() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        LongAdder reported = new LongAdder();
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 10_000; i++) {
                        reported.add(limit.event());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, limit.lines(), "one line within the minute, however many threads");
        now.addAndGet(RateLimitedLog.MINUTE_NANOS);
        reported.add(limit.event());
        assertEquals(40_001, reported.sum(), "every event is reported by some line");
    }
}

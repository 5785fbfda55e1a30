package earthwo.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LagWindowTest {

    @Test
    void emptyWindowHasNoPercentile() {
        assertEquals(-1, new LagWindow().percentile(50));
    }

    @Test
    void nearestRankPercentiles() {
        LagWindow w = new LagWindow();
        for (int i = 100; i >= 1; i--) {
            w.record(i);
        }
        assertEquals(50, w.percentile(50));
        assertEquals(99, w.percentile(99));
        assertEquals(100, w.percentile(100));
        assertEquals(1, w.percentile(0.5));
    }

    @Test
    void keepsOnlyTheMostRecentValues() {
        LagWindow w = new LagWindow(10);
        for (int i = 0; i < 10; i++) {
            w.record(10_000);
        }
        for (int i = 1; i <= 10; i++) {
            w.record(i);
        }
        assertEquals(10, w.size());
        assertEquals(5, w.percentile(50));
        assertEquals(10, w.percentile(99));
    }

    @Test
    void aSingleValueIsEveryPercentileAndNegativeLagCountsAsZero() {
        LagWindow w = new LagWindow();
        w.record(-5);
        assertEquals(0, w.percentile(50));
        assertEquals(0, w.percentile(99));
    }
}

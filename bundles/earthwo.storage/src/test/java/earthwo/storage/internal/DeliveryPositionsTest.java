package earthwo.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Version;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hooks' durable delivery positions; kept whether or not the outbox is on (here: off, the default). */
class DeliveryPositionsTest {

    private static final int SEGMENTS = 4;

    @TempDir
    Path dir;

    private JeSegmentStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private void reopen() {
        if (store != null) {
            store.close();
        }
        store = StoreFixture.open(dir, SEGMENTS);
    }

    private static Version v(long wall, int node) {
        return Version.of(wall, 0, node);
    }

    @Test
    void aPositionOnlyMovesForwardAndSurvivesReopen() {
        reopen();
        assertEquals(Map.of(), store.positions("webhook"));
        store.savePosition("webhook", 0, v(100, 1));
        store.savePosition("webhook", 3, v(50, 2));
        assertEquals(Map.of(0, v(100, 1), 3, v(50, 2)), store.positions("webhook"));

        store.savePosition("webhook", 0, v(99, 9));
        store.savePosition("webhook", 0, v(100, 0));
        assertEquals(v(100, 1), store.positions("webhook").get(0), "never back");
        store.savePosition("webhook", 0, v(100, 2));
        assertEquals(v(100, 2), store.positions("webhook").get(0), "forward by node at the same time");
        store.savePosition("webhook", 0, v(200, 1));
        assertEquals(v(200, 1), store.positions("webhook").get(0));

        reopen();
        assertEquals(Map.of(0, v(200, 1), 3, v(50, 2)), store.positions("webhook"));
        store.savePosition("webhook", 3, v(10, 1));
        assertEquals(v(50, 2), store.positions("webhook").get(3), "never back after a reopen either");
    }

    @Test
    void namesAreKeptApartEvenWhenOneStartsWithAnother() {
        reopen();
        store.savePosition("a", 0, v(1, 1));
        store.savePosition("ab", 0, v(2, 1));
        store.savePosition("ab", 1, v(3, 1));
        store.savePosition("é ü", 2, v(4, 1));
        assertEquals(Map.of(0, v(1, 1)), store.positions("a"));
        assertEquals(Map.of(0, v(2, 1), 1, v(3, 1)), store.positions("ab"));
        assertEquals(Map.of(2, v(4, 1)), store.positions("é ü"));
        assertEquals(Set.of("a", "ab", "é ü"), store.positionNames().keySet());
    }

    @Test
    void namesTellWhenTheyWereLastSavedAndCanBeDropped() {
        reopen();
        long before = System.currentTimeMillis();
        store.savePosition("first", 0, v(1, 1));
        store.savePosition("first", 1, v(1, 1));
        store.savePosition("second", 0, v(1, 1)); // segment 0: its key ends in 0x00 bytes, as a name's time entry does
        long after = System.currentTimeMillis();
        Map<String, Long> names = store.positionNames();
        assertEquals(Set.of("first", "second"), names.keySet());
        for (long saved : names.values()) {
            assertTrue(saved >= before && saved <= after, "saved at " + saved + ", between " + before + " and " + after);
        }

        reopen();
        assertEquals(names, store.positionNames(), "the times survive a reopen");
        store.dropPositions("first");
        assertEquals(Set.of("second"), store.positionNames().keySet());
        assertEquals(Map.of(), store.positions("first"));
        assertEquals(Map.of(0, v(1, 1)), store.positions("second"));
        store.dropPositions("never saved");

        reopen();
        assertEquals(Set.of("second"), store.positionNames().keySet());
        store.savePosition("first", 2, v(5, 1));
        assertEquals(Map.of(2, v(5, 1)), store.positions("first"), "a dropped name starts anew");
    }

    @Test
    void badRequestsAreRefused() {
        reopen();
        for (String bad : new String[] {null, "", "nul\0inside"}) {
            assertEquals(ErrorCode.BAD_REQUEST,
                    assertThrows(EarthwoException.class, () -> store.savePosition(bad, 0, v(1, 1))).code());
            assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.positions(bad)).code());
            assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.dropPositions(bad)).code());
        }
        assertEquals(ErrorCode.BAD_REQUEST,
                assertThrows(EarthwoException.class, () -> store.savePosition("h", SEGMENTS, v(1, 1))).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> store.savePosition("h", 0, null)).code());
        assertEquals(Map.of(), store.positionNames());
    }

    /** Saves of one name from many threads, in any order: each position ends at the largest version saved. */
    @Test
    void concurrentSavesEndAtTheLargest() throws Exception {
        reopen();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int node = t + 1;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        try {
                            store.savePosition("hook", i % SEGMENTS, v(i, node));
                        } catch (EarthwoException e) {
                            assertEquals(ErrorCode.BUSY, e.code(), e.getMessage());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Map<Integer, Version> positions = store.positions("hook");
        assertEquals(SEGMENTS, positions.size());
        for (int s = 0; s < SEGMENTS; s++) {
            assertEquals(96 + s, positions.get(s).wallMillis(), "segment " + s);
        }
    }
}

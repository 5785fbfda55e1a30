package earthwo.storage.internal;

import static earthwo.storage.internal.StoreFixture.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.storage.HintStore.Hint;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hinted handoff on the real JE environment. */
class JeHintStoreTest {

    @TempDir
    Path dir;

    private static List<String> keys(List<Hint> hints) {
        return hints.stream().map(h -> Keys.string(h.record().key())).toList();
    }

    @Test
    void hintsComeBackPerNodeInTheOrderTheyWereAdded() {
        try (JeSegmentStore store = StoreFixture.open(dir, 8)) {
            JeHintStore hints = store.hints();
            hints.add(3, 1, value("c1", "x", 10, 1));
            hints.add(2, 4, value("b1", "x", 11, 1));
            hints.add(3, 7, value("c2", "x", 12, 1));
            hints.add(2, 0, value("b2", "x", 13, 1));
            hints.add(3, 2, value("c3", "x", 14, 1));
            assertEquals(Map.of(2, 2L, 3, 3L), hints.pending());

            List<Hint> three = hints.peek(3, 10);
            assertEquals(List.of("c1", "c2", "c3"), keys(three));
            assertEquals(List.of(1, 7, 2), three.stream().map(Hint::segment).toList());
            assertTrue(three.get(0).sequence() < three.get(1).sequence());
            assertEquals(List.of("c1", "c2"), keys(hints.peek(3, 2)));
            assertEquals(List.of("b1", "b2"), keys(hints.peek(2, 10)));
            assertEquals(List.of(), hints.peek(4, 10));

            hints.remove(three.get(0));
            hints.remove(three.get(0)); // a second remove of the same hint changes nothing
            assertEquals(List.of("c2", "c3"), keys(hints.peek(3, 10)));
            assertEquals(Map.of(2, 2L, 3, 2L), hints.pending());
            hints.peek(2, 10).forEach(hints::remove);
            assertEquals(Map.of(3, 2L), hints.pending());
        }
    }

    @Test
    void hintsSurviveARestartAndNewOnesFollowTheOldOnes() {
        Record tomb = Record.tombstone(Keys.utf8("gone"), new Version(99, 2));
        Record expiring = Record.value(Keys.utf8("ttl"), Keys.utf8("v"), new Version(100, 1), 1_900_000_000_000L);
        try (JeSegmentStore store = StoreFixture.open(dir, 8)) {
            store.hints().add(5, 3, tomb);
            store.hints().add(5, 6, expiring);
        }
        try (JeSegmentStore store = StoreFixture.open(dir, 8)) {
            JeHintStore hints = store.hints();
            assertEquals(Map.of(5, 2L), hints.pending());
            hints.add(5, 1, value("later", "x", 200, 1));
            List<Hint> all = hints.peek(5, 10);
            assertEquals(List.of("gone", "ttl", "later"), keys(all));
            assertEquals(tomb, all.get(0).record());
            assertEquals(3, all.get(0).segment());
            assertEquals(expiring, all.get(1).record());
            assertEquals(6, all.get(1).segment());
        }
    }

    @Test
    void invalidHintsAreRejectedAndAClosedStoreIsUnavailable() {
        JeSegmentStore store = StoreFixture.open(dir, 8);
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> store.hints().add(1, 8, value("k", "v", 1, 1))).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> store.hints().add(-1, 0, value("k", "v", 1, 1))).code());
        store.close();
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(EarthwoException.class,
                () -> store.hints().add(1, 0, value("k", "v", 1, 1))).code());
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(EarthwoException.class,
                () -> store.hints().peek(1, 10)).code());
    }
}

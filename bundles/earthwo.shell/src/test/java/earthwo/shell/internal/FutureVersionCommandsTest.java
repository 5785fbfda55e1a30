package earthwo.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Version;
import earthwo.api.admin.FutureVersions;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FutureVersionCommandsTest {

    /** Two future records until rewritten. */
    private static final class TwoFound implements FutureVersions {
        final List<Found> found = new ArrayList<>(List.of(
                new Found(3, Keys.utf8("a"), Version.of(2_000_000_000_000L, 0, 9), 315_000_000_000L),
                new Found(7, Keys.utf8("b"), Version.of(2_000_000_000_000L, 1, 9), 315_000_000_001L)));

        @Override
        public List<Found> find(int limit) {
            return found.subList(0, Math.min(limit, found.size()));
        }

        @Override
        public long rewrite() {
            int n = found.size();
            found.clear();
            return n;
        }
    }

    @Test
    void listsThenRewrites() {
        TwoFound service = new TwoFound();
        FutureVersionCommands c = new FutureVersionCommands(service);
        String listing = c.futureversions(false, 100);
        assertTrue(listing.startsWith("3\ta\t2000000000000.0@9\t315000000000\n7\tb\t"), listing);
        assertTrue(listing.endsWith("# 2 found; kv:futureversions --rewrite rewrites them"), listing);
        assertTrue(c.futureversions(false, 1).contains("# 1 shown (--limit reached)"));
        assertEquals("rewrote 2 records", c.futureversions(true, 100));
        assertTrue(c.futureversions(false, 100).startsWith("no record"));
    }

    @Test
    void refusesWhatItCannotDo() {
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(EarthwoException.class,
                () -> new FutureVersionCommands(null).futureversions(false, 10)).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class,
                () -> new FutureVersionCommands(new TwoFound()).futureversions(false, 0)).code());
    }
}

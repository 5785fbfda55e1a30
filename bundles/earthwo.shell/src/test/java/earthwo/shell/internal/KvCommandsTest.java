package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvCommandsTest {

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final MapBackedKvTestDouble kv = new MapBackedKvTestDouble(now::get);
    private final KvCommands commands = new KvCommands(kv, now::get);

    @Test
    void putReturnsTheVersionAndGetReturnsTheValue() {
        String version = commands.put(0, "greeting", "héllo wörld");
        Record stored = kv.get(Keys.utf8("greeting")).orElseThrow();
        assertEquals(stored.version().toString(), version);
        assertEquals(Version.of(now.get(), 1, 1).toString(), version);
        assertEquals("héllo wörld", commands.get("greeting"));
        assertEquals(0L, stored.expiresAt(), "no --ttl: never expires");
    }

    @Test
    void absentKeyGivesNull() {
        assertNull(commands.get("nope"));
    }

    @Test
    void emptyValueIsNotAbsent() {
        commands.put(0, "k", "");
        assertEquals("", commands.get("k"));
    }

    @Test
    void ttlSetsAnAbsoluteExpiry() {
        commands.put(5_000, "session", "x");
        assertEquals(now.get() + 5_000, kv.get(Keys.utf8("session")).orElseThrow().expiresAt());
        now.addAndGet(5_000);
        assertNull(commands.get("session"), "expired at now + ttl");
    }

    @Test
    void negativeTtlIsABadRequest() {
        EarthwoException e = assertThrows(EarthwoException.class, () -> commands.put(-1, "k", "v"));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(kv.writeOptions.isEmpty());
    }

    @Test
    void delSaysWhetherALiveValueWasThere() {
        commands.put(0, "k", "v");
        assertTrue(commands.del("k"));
        assertFalse(commands.del("k"));
        assertNull(commands.get("k"));
    }

    @Test
    void scanListsKeyTabValueLinesInKeyOrder() {
        commands.put(0, "user:2", "bob");
        commands.put(0, "user:1", "alice");
        commands.put(0, "other", "x");
        ScanListing page = commands.scan(100, "", "user:");
        assertEquals("user:1\talice\nuser:2\tbob\n", page.toString());
        assertEquals(Map.of("user:1", "alice", "user:2", "bob"), page.entries());
        assertFalse(page.more());
        assertNull(page.next());
    }

    @Test
    void scanContinuesAfterTheHintedKey() {
        for (int i = 1; i <= 5; i++) {
            commands.put(0, "k" + i, "v" + i);
        }
        ScanListing first = commands.scan(2, "", "k");
        assertEquals("k1\tv1\nk2\tv2\n# more: kv:scan --limit 2 --after 'k2' 'k'\n", first.toString());
        assertTrue(first.more());
        assertEquals("k2", first.next());

        ScanListing second = commands.scan(2, first.next(), "k");
        assertEquals(List.of("k3", "k4"), List.copyOf(second.entries().keySet()));
        ScanListing third = commands.scan(2, second.next(), "k");
        assertEquals("k5\tv5\n", third.toString(), "last page: no hint");
    }

    @Test
    void scanEscapesTabsNewlinesAndCutsLongValues() {
        commands.put(0, "a\tb", "line1\nline2\\");
        commands.put(0, "big", "x".repeat(ScanListing.MAX_VALUE_CHARS + 5));
        ScanListing page = commands.scan(100, "", "");
        String[] lines = page.toString().split("\n");
        assertEquals("a\\tb\tline1\\nline2\\\\", lines[0]);
        assertEquals("big\t" + "x".repeat(ScanListing.MAX_VALUE_CHARS) + "…(" + (ScanListing.MAX_VALUE_CHARS + 5)
                + " bytes)", lines[1]);
        assertEquals(ScanListing.MAX_VALUE_CHARS + 5, page.entries().get("big").length(), "entries keep whole values");
    }

    @Test
    void scanHintQuotesKeysWithSingleQuotes() {
        commands.put(0, "it's", "1");
        commands.put(0, "it's2", "2");
        assertTrue(commands.scan(1, "", "it").toString().endsWith("# more: kv:scan --limit 1 --after \"it's\" 'it'\n"));
    }

    @Test
    void scanLimitOutOfRangeIsABadRequest() {
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> commands.scan(0, "", "")).code());
        assertEquals(ErrorCode.BAD_REQUEST,
                assertThrows(EarthwoException.class, () -> commands.scan(10_001, "", "")).code());
    }

    @Test
    void withoutAKvServiceEveryCommandSaysUnavailable() {
        KvCommands noKv = new KvCommands(null, now::get);
        for (Runnable r : List.<Runnable>of(() -> noKv.get("k"), () -> noKv.put(0, "k", "v"), () -> noKv.del("k"),
                () -> noKv.scan(10, "", ""))) {
            EarthwoException e = assertThrows(EarthwoException.class, r::run);
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertEquals("UNAVAILABLE: Kv service unavailable", e.getMessage());
        }
    }
}

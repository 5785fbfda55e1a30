package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Expiry;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.WriteOptions;
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
        String version = commands.put(0, "", false, "greeting", "héllo wörld");
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
        commands.put(0, "", false, "k", "");
        assertEquals("", commands.get("k"));
    }

    @Test
    void ttlSetsAnAbsoluteExpiry() {
        commands.put(5_000, "", false, "session", "x");
        assertEquals(now.get() + 5_000, kv.get(Keys.utf8("session")).orElseThrow().expiresAt());
        now.addAndGet(5_000);
        assertNull(commands.get("session"), "expired at now + ttl");
    }

    @Test
    void negativeTtlIsABadRequest() {
        EarthwoException e = assertThrows(EarthwoException.class, () -> commands.put(-1, "", false, "k", "v"));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(kv.writeOptions.isEmpty());
    }

    @Test
    void delSaysWhetherALiveValueWasThere() {
        commands.put(0, "", false, "k", "v");
        assertTrue(commands.del("k"));
        assertFalse(commands.del("k"));
        assertNull(commands.get("k"));
    }

    @Test
    void scanListsKeyTabValueLinesInKeyOrder() {
        commands.put(0, "", false, "user:2", "bob");
        commands.put(0, "", false, "user:1", "alice");
        commands.put(0, "", false, "other", "x");
        ScanListing page = commands.scan(100, "", false, "user:");
        assertEquals("user:1\talice\nuser:2\tbob\n", page.toString());
        assertEquals(Map.of("user:1", "alice", "user:2", "bob"), page.entries());
        assertFalse(page.more());
        assertNull(page.next());
    }

    @Test
    void scanContinuesAfterTheHintedKey() {
        for (int i = 1; i <= 5; i++) {
            commands.put(0, "", false, "k" + i, "v" + i);
        }
        ScanListing first = commands.scan(2, "", false, "k");
        assertEquals("k1\tv1\nk2\tv2\n# more: kv:scan --limit 2 --after 'k2' 'k'\n", first.toString());
        assertTrue(first.more());
        assertEquals("k2", first.next());

        ScanListing second = commands.scan(2, first.next(), false, "k");
        assertEquals(List.of("k3", "k4"), List.copyOf(second.entries().keySet()));
        ScanListing third = commands.scan(2, second.next(), false, "k");
        assertEquals("k5\tv5\n", third.toString(), "last page: no hint");
    }

    @Test
    void scanEscapesTabsNewlinesAndCutsLongValues() {
        commands.put(0, "", false, "a\tb", "line1\nline2\\");
        commands.put(0, "", false, "big", "x".repeat(ScanListing.MAX_VALUE_CHARS + 5));
        ScanListing page = commands.scan(100, "", false, "");
        String[] lines = page.toString().split("\n");
        assertEquals("a\\tb\tline1\\nline2\\\\", lines[0]);
        assertEquals("big\t" + "x".repeat(ScanListing.MAX_VALUE_CHARS) + "…(" + (ScanListing.MAX_VALUE_CHARS + 5)
                + " bytes)", lines[1]);
        assertEquals(ScanListing.MAX_VALUE_CHARS + 5, page.entries().get("big").length(), "entries keep whole values");
    }

    @Test
    void scanHintQuotesKeysWithSingleQuotes() {
        commands.put(0, "", false, "it's", "1");
        commands.put(0, "", false, "it's2", "2");
        assertTrue(commands.scan(1, "", false, "it").toString().endsWith("# more: kv:scan --limit 1 --after \"it's\" 'it'\n"));
    }

    @Test
    void scanLimitOutOfRangeIsABadRequest() {
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, () -> commands.scan(0, "", false, "")).code());
        assertEquals(ErrorCode.BAD_REQUEST,
                assertThrows(EarthwoException.class, () -> commands.scan(10_001, "", false, "")).code());
    }

    @Test
    void withoutAKvServiceEveryCommandSaysUnavailable() {
        KvCommands noKv = new KvCommands(null, now::get);
        for (Runnable r : List.<Runnable>of(() -> noKv.get("k"), () -> noKv.put(0, "", false, "k", "v"), () -> noKv.del("k"),
                () -> noKv.scan(10, "", false, ""), () -> noKv.expire("k", 1), () -> noKv.expireat("k", 1),
                () -> noKv.ttl("k"), () -> noKv.persist("k"))) {
            EarthwoException e = assertThrows(EarthwoException.class, r::run);
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertEquals("UNAVAILABLE: Kv service unavailable", e.getMessage());
        }
    }

    // ---------------------------------------------------------------- expiry

    private void put(String key, String value) {
        commands.put(0, "", false, key, value);
    }

    @Test
    void expiryCommandsOnAnAbsentKeyAnswerZeroOrMinusTwo() {
        assertEquals(-2, commands.ttl("nope"));
        assertEquals(0, commands.expire("nope", 1000));
        assertEquals(0, commands.expireat("nope", now.get() + 1000));
        assertEquals(0, commands.persist("nope"));
        assertNull(commands.get("nope"), "nothing was created");
    }

    @Test
    void expireCountsFromTheNodesClockAndTtlSaysWhatIsLeft() {
        put("k", "v");
        assertEquals(-1, commands.ttl("k"));
        assertEquals(1, commands.expire("k", 60_000));
        assertEquals(now.get() + 60_000, kv.expiries.get(0), "Kv gets an absolute time");
        assertEquals(60_000, commands.ttl("k"));
        now.addAndGet(10_000);
        assertEquals(50_000, commands.ttl("k"));
        assertEquals("v", commands.get("k"), "the value is kept");
        now.addAndGet(50_000);
        assertEquals(-2, commands.ttl("k"), "expired");
        assertNull(commands.get("k"));
    }

    @Test
    void expireatSetsAnAbsoluteTime() {
        put("k", "v");
        assertEquals(1, commands.expireat("k", now.get() + 5_000));
        assertEquals(5_000, commands.ttl("k"));
        assertEquals(1, commands.expireat("k", Expiry.MAX_EXPIRES_AT), "year 9999 is allowed");
    }

    @Test
    void aTimeNotInTheFutureDeletesTheKeyAndAnswersOne() {
        for (Runnable change : List.<Runnable>of(() -> assertEquals(1, commands.expire("k", 0)),
                () -> assertEquals(1, commands.expireat("k", now.get())),
                () -> assertEquals(1, commands.expireat("k", 1)),
                () -> assertEquals(1, commands.expireat("k", 0)))) {
            put("k", "v");
            change.run();
            assertEquals(-2, commands.ttl("k"));
            assertNull(commands.get("k"));
        }
        assertEquals(1L, kv.expiries.get(3), "epoch 0 reaches Kv as a past time, not as NEVER (persist)");
    }

    @Test
    void persistRemovesTheExpiryOnce() {
        put("k", "v");
        assertEquals(0, commands.persist("k"), "no expiry to remove");
        commands.expire("k", 1000);
        assertEquals(1, commands.persist("k"));
        assertEquals(-1, commands.ttl("k"));
        assertEquals(0, commands.persist("k"));
        now.addAndGet(5_000);
        assertEquals("v", commands.get("k"), "no longer expires");
    }

    @Test
    void badTimesAreBadRequestsAndChangeNothing() {
        put("k", "v");
        for (Runnable r : List.<Runnable>of(() -> commands.expire("k", -1),
                () -> commands.expire("k", Expiry.MAX_EXPIRES_AT),
                () -> commands.expireat("k", -1),
                () -> commands.expireat("k", Expiry.MAX_EXPIRES_AT + 1),
                () -> commands.put(0, "soon", false, "k", "v2"),
                () -> commands.put(0, "0", false, "k", "v2"),
                () -> commands.put(0, "-5", false, "k", "v2"),
                () -> commands.put(0, String.valueOf(Expiry.MAX_EXPIRES_AT + 1), false, "k", "v2"),
                () -> commands.put(Long.MAX_VALUE, "", false, "k", "v2"),
                () -> commands.put(1000, "", true, "k", "v2"),
                () -> commands.put(1000, String.valueOf(now.get() + 1000), false, "k", "v2"),
                () -> commands.put(0, String.valueOf(now.get() + 1000), true, "k", "v2"))) {
            EarthwoException e = assertThrows(EarthwoException.class, r::run);
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
        }
        assertTrue(kv.expiries.isEmpty());
        assertEquals(1, kv.writeOptions.size(), "only the first put was written");
        assertEquals(-1, commands.ttl("k"));
    }

    @Test
    void putExpiresAtAnEpochTimeOrKeepsTheKeysExpiry() {
        commands.put(0, String.valueOf(now.get() + 10_000), false, "k", "v1");
        assertEquals(10_000, commands.ttl("k"));
        commands.put(0, "", true, "k", "v2");
        assertTrue(kv.writeOptions.get(1).keepTtl());
        assertEquals(10_000, commands.ttl("k"));
        assertEquals("v2", commands.get("k"));
        put("k", "v3");
        assertEquals(-1, commands.ttl("k"), "a plain put removes the expiry");
        assertEquals(WriteOptions.DEFAULT.expiresAt(), kv.writeOptions.get(2).expiresAt());
    }

    @Test
    void scanWithTtlAddsTheMillisecondsLeft() {
        commands.put(5_000, "", false, "a", "1");
        put("b", "2");
        assertEquals("a\t1\t5000\nb\t2\t-1\n", commands.scan(100, "", true, "").toString());
        assertEquals("a\t1\nb\t2\n", commands.scan(100, "", false, "").toString());
        assertEquals("a\t1\t5000\n# more: kv:scan --limit 1 --with-ttl --after 'a' ''\n",
                commands.scan(1, "", true, "").toString());
    }

    @Test
    void remainingTimeOfAScannedRecordIsNeverNegativeButMinusOneWithoutExpiry() {
        Version v = Version.of(1, 1, 1);
        assertEquals(-1, ScanListing.remainingMillis(Record.value(Keys.utf8("k"), new byte[0], v, Record.NEVER), 500));
        assertEquals(0, ScanListing.remainingMillis(Record.value(Keys.utf8("k"), new byte[0], v, 400), 500));
    }
}

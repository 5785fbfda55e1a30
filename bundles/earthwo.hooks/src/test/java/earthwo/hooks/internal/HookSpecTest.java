package earthwo.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Keys;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HookSpecTest {

    private static final HooksSettings DEFAULTS = HooksSettings.resolve(Map.of(), k -> null);

    private static HookSpec parse(Object... props) {
        Map<String, Object> p = new HashMap<>();
        for (int i = 0; i < props.length; i += 2) {
            p.put((String) props[i], props[i + 1]);
        }
        return HookSpec.parse(p, "b", 7, DEFAULTS);
    }

    private static KeyEvent event(EventType t, String key) {
        return KeyEvent.change(t, Keys.utf8(key), Version.of(1, 0, 1), 0, 0, null, false);
    }

    @Test
    void settingsDefaultsAndBounds() {
        assertEquals(100, DEFAULTS.batch);
        assertEquals(10_000, DEFAULTS.timeoutMs);
        assertEquals(30_000, DEFAULTS.maxBackoffMs);
        assertEquals(500, DEFAULTS.settleMs);
        assertEquals(1_000, DEFAULTS.positionSyncMs);
        assertEquals(604_800_000L, DEFAULTS.forgetAfterMs);
        assertEquals(60_000, DEFAULTS.unclaimedRetainMs);
        HooksSettings s = HooksSettings.resolve(Map.of(HooksSettings.BATCH, "5"),
                k -> k.equals(HooksSettings.BATCH) ? "7" : k.equals(HooksSettings.SETTLE) ? "0" : null);
        assertEquals(5, s.batch);
        assertEquals(0, s.settleMs);
        for (String[] bad : new String[][] {{HooksSettings.BATCH, "0"}, {HooksSettings.BATCH, "10001"},
                {HooksSettings.TIMEOUT, "1"}, {HooksSettings.MAX_BACKOFF, "99"}, {HooksSettings.SETTLE, "-1"},
                {HooksSettings.POSITION_SYNC, "5"}, {HooksSettings.FORGET_AFTER, "x"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HooksSettings.resolve(Map.of(bad[0], bad[1]), k -> null));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }

    @Test
    void aHookTakesTheNodesSettingsUnlessItSetsItsOwn() {
        HookSpec plain = parse(KeyHook.NAME, "plain");
        assertEquals(100, plain.batch());
        assertEquals(10_000, plain.timeoutMs());
        assertEquals(30_000, plain.maxBackoffMs());
        assertEquals("*", plain.filter().prefixesShown());
        assertEquals("*", plain.filter().typesShown());
        HookSpec own = parse(KeyHook.NAME, "own", KeyHook.BATCH, 5, KeyHook.TIMEOUT_MS, "250", KeyHook.MAX_BACKOFF_MS, 1_000L);
        assertEquals(5, own.batch());
        assertEquals(250, own.timeoutMs());
        assertEquals(1_000, own.maxBackoffMs());
        assertEquals("b", own.bundle());
        assertEquals(7, own.serviceId());
    }

    @Test
    void filtersByPrefixAndTypeAndAlwaysPassAGap() {
        HookSpec s = parse(KeyHook.NAME, "f", KeyHook.PREFIXES, List.of("user:", "a,b"), KeyHook.EVENTS, new String[] {"created", "EXPIRED"});
        EventFilter f = s.filter();
        assertTrue(f.accepts(event(EventType.CREATED, "user:1")));
        assertTrue(f.accepts(event(EventType.EXPIRED, "a,b:2")), "a prefix may hold a comma");
        assertFalse(f.accepts(event(EventType.UPDATED, "user:1")));
        assertFalse(f.accepts(event(EventType.CREATED, "order:1")));
        assertTrue(f.accepts(KeyEvent.gap(0, Version.of(1, 0, 1), 3)));
        assertEquals("user:,a,b", f.prefixesShown());
        assertEquals("CREATED,EXPIRED", f.typesShown());
        assertEquals("one,two", parse(KeyHook.NAME, "p", KeyHook.PREFIXES, "one,two").filter().prefixesShown(),
                "a single String is one prefix");
    }

    @Test
    void badPropertiesAreRefusedNamingThem() {
        for (Object[] bad : new Object[][] {
                {},
                {KeyHook.NAME, ""},
                {KeyHook.NAME, 5},
                {KeyHook.NAME, "has space"},
                {KeyHook.NAME, "-leading"},
                {KeyHook.NAME, "x".repeat(129)},
                {KeyHook.NAME, "e", KeyHook.EVENTS, "CREATED,RENAMED"},
                {KeyHook.NAME, "e", KeyHook.PREFIXES, 3},
                {KeyHook.NAME, "b", KeyHook.BATCH, 0},
                {KeyHook.NAME, "b", KeyHook.BATCH, "lots"},
                {KeyHook.NAME, "t", KeyHook.TIMEOUT_MS, 5L},
                {KeyHook.NAME, "m", KeyHook.MAX_BACKOFF_MS, 50}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(bad));
            assertTrue(e.getMessage().contains("earthwo.hook."), e.getMessage());
        }
    }
}

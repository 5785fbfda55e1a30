package earthwo.channels.internal;

import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyHook;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A mirror's configuration: defaults, the hook's service properties, and refusals that name the setting. */
class MirrorSettingsTest {

    static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> c = new HashMap<>();
        c.put(MirrorSettings.NAME, "orders");
        c.put(MirrorSettings.CHANNEL, "keys.orders");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] == null) {
                c.remove((String) keysAndValues[i]);
            } else {
                c.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return c;
    }

    @Test
    void aNameAndAChannelAreEnough() {
        MirrorSettings s = MirrorSettings.resolve(config());
        assertEquals("orders", s.name);
        assertEquals("keys.orders", s.channel);
        assertEquals(List.of(), s.prefixes);
        assertEquals(List.of(), s.events);
        assertFalse(s.values);
        assertEquals(4096, s.valuesMaxBytes);
        assertEquals(Map.of(KeyHook.NAME, "channel-mirror-orders"), s.serviceProperties());
    }

    @Test
    void filtersAndValuesAreRead() {
        MirrorSettings s = MirrorSettings.resolve(config(MirrorSettings.PREFIXES, "user:, order:",
                MirrorSettings.EVENTS, "created,UPDATED,created", MirrorSettings.VALUES, "true",
                MirrorSettings.VALUES_MAX_BYTES, "100"));
        assertEquals(List.of("user:", "order:"), s.prefixes);
        assertEquals(List.of(EventType.CREATED, EventType.UPDATED), s.events);
        assertTrue(s.values);
        assertEquals(100, s.valuesMaxBytes);
        assertArrayEquals(new String[] {"user:", "order:"}, (String[]) s.serviceProperties().get(KeyHook.PREFIXES));
        assertArrayEquals(new String[] {"CREATED", "UPDATED"}, (String[]) s.serviceProperties().get(KeyHook.EVENTS));

        // In an array (a typed configuration) each prefix is taken whole, commas and all.
        assertEquals(List.of("a,b"), MirrorSettings.resolve(config(MirrorSettings.PREFIXES, new String[] {"a,b"})).prefixes);
        assertTrue(MirrorSettings.resolve(config(MirrorSettings.VALUES, Boolean.TRUE)).values);
    }

    @Test
    void badConfigurationsAreRefusedNamingTheSetting() {
        refused(MirrorSettings.NAME, config(MirrorSettings.NAME, null));
        refused("mirror name", config(MirrorSettings.NAME, "Orders"));
        refused("mirror name", config(MirrorSettings.NAME, "-orders"));
        refused("mirror name", config(MirrorSettings.NAME, "or ders"));
        refused("mirror name", config(MirrorSettings.NAME, "o/x"));
        refused("mirror name", config(MirrorSettings.NAME, "o".repeat(65)));
        MirrorSettings.resolve(config(MirrorSettings.NAME, "o".repeat(64)));
        refused(MirrorSettings.CHANNEL, config(MirrorSettings.CHANNEL, null));
        refused(MirrorSettings.CHANNEL, config(MirrorSettings.CHANNEL, "keys orders"));
        refused(MirrorSettings.CHANNEL, config(MirrorSettings.CHANNEL, "keys.*"));
        refused(MirrorSettings.CHANNEL, config(MirrorSettings.CHANNEL, "k".repeat(2000)));
        refused("unknown event 'FOO'", config(MirrorSettings.EVENTS, "CREATED,FOO"));
        refused("unknown event 'GAP'", config(MirrorSettings.EVENTS, "GAP"));
        refused(MirrorSettings.VALUES, config(MirrorSettings.VALUES, "yes"));
        refused(MirrorSettings.VALUES_MAX_BYTES, config(MirrorSettings.VALUES_MAX_BYTES, "-1"));
        refused(MirrorSettings.VALUES_MAX_BYTES, config(MirrorSettings.VALUES_MAX_BYTES, "999999999"));
    }

    private static void refused(String named, Map<String, Object> config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MirrorSettings.resolve(config));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}

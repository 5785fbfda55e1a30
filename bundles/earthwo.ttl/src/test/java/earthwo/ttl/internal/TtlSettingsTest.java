package earthwo.ttl.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TtlSettingsTest {

    @Test
    void defaults() {
        TtlSettings s = TtlSettings.resolve(Map.of(), k -> null);
        assertEquals(100, s.intervalMs);
        assertEquals(1000, s.batch);
        assertEquals(256, s.inFlight);
    }

    @Test
    void configurationOverridesFrameworkProperties() {
        TtlSettings s = TtlSettings.resolve(Map.of(TtlSettings.REAP_BATCH, "50"),
                k -> k.equals(TtlSettings.REAP_BATCH) ? "70" : k.equals(TtlSettings.REAP_INTERVAL) ? "250" : null);
        assertEquals(50, s.batch);
        assertEquals(250, s.intervalMs);
    }

    @Test
    void valuesOutOfRangeAreRefusedNamingTheSetting() {
        for (String[] bad : new String[][] {
                {TtlSettings.REAP_INTERVAL, "9"}, {TtlSettings.REAP_INTERVAL, "60001"},
                {TtlSettings.REAP_BATCH, "0"}, {TtlSettings.REAP_INFLIGHT, "0"}, {TtlSettings.REAP_INFLIGHT, "lots"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TtlSettings.resolve(Map.of(bad[0], bad[1]), k -> null));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }
}

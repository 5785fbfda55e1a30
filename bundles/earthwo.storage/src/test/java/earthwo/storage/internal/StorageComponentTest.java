package earthwo.storage.internal;

import static earthwo.storage.internal.StoreFixture.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageComponentTest {

    @TempDir
    Path dataDir;

    private static Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put(StorageSettings.CACHE_BYTES, String.valueOf(16L << 20));
        return c;
    }

    /**
     * The component stands for the store in the OSGi registry: a default method of SegmentStore
     * it does not pass on would silently answer the interface's fallback (as changeCount's -1,
     * "may have changed", would have made anti-entropy rescan every pass) instead of the store's.
     */
    @Test
    void passesOnEveryDefaultMethodOfSegmentStore() throws Exception {
        for (java.lang.reflect.Method m : earthwo.api.storage.SegmentStore.class.getMethods()) {
            if (m.isDefault()) {
                assertEquals(StorageComponent.class,
                        StorageComponent.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass(),
                        "StorageComponent must override " + m.getName());
            }
        }
    }

    @Test
    void activatesUnderTheDataDirectoryServesAndReportsStatus() {
        Map<String, String> framework = Map.of("earthwo.data", dataDir.toString(), "earthwo.segments", "8");
        StorageComponent c = new StorageComponent();
        c.activate(config(), framework::get);
        try {
            assertTrue(Files.isDirectory(dataDir.resolve("store")));
            assertEquals(8, c.segmentCount());
            c.apply(3, value("a", "1", 1, 1));
            c.apply(5, value("b", "2", 1, 1));
            assertEquals("1", Keys.string(c.read(3, Keys.utf8("a")).orElseThrow().value()));
            assertEquals(1, c.scan(5, null, null, 10).size());
            assertEquals(1, c.changeCount(3), "the component passes the store's change count on");

            assertEquals("storage", c.name());
            Map<String, Object> status = c.status();
            assertEquals(2L, status.get("records"));
            assertEquals(8, status.get("segments"));
            assertEquals("write_no_sync", status.get("durability"));
            assertEquals(dataDir.resolve("store").toAbsolutePath().normalize(), status.get("dir"));
            assertEquals(16L << 20, status.get("cache.size.bytes"));
            assertEquals("open", status.get("state"));
            assertTrue((Long) status.get("log.bytes") > 0);
            assertEquals(512L << 20, status.get("disk.reserve.bytes"));
            assertTrue((Long) status.get("disk.free.bytes") > 0);
            assertEquals("accepted", status.get("disk.writes"));
            assertEquals(0L, status.get("disk.writes.refused"));
            assertEquals(0L, status.get("environment.reopens"));
        } finally {
            c.deactivate();
        }
        assertEquals(ErrorCode.UNAVAILABLE,
                assertThrows(EarthwoException.class, () -> c.read(3, Keys.utf8("a"))).code());
        assertEquals("closed", c.status().get("state"));

        // a bundle update: a new instance opens the same directory at once and finds the data
        StorageComponent next = new StorageComponent();
        next.activate(config(), framework::get);
        try {
            assertEquals("2", Keys.string(next.read(5, Keys.utf8("b")).orElseThrow().value()));
        } finally {
            next.deactivate();
        }
    }

    @Test
    void eachDurabilityModeOpensAndSurvivesReopen() {
        for (DurabilityMode mode : DurabilityMode.values()) {
            Map<String, Object> cfg = config();
            cfg.put("earthwo.data", dataDir.toString());
            cfg.put("earthwo.segments", "2");
            cfg.put(StorageSettings.DURABILITY, mode.configName());
            StorageComponent c = new StorageComponent();
            c.activate(cfg, k -> null);
            c.apply(0, value("mode-" + mode, "v", 1, 1));
            assertEquals(mode.configName(), c.status().get("durability"));
            c.deactivate();
        }
        StorageComponent c = new StorageComponent();
        Map<String, Object> cfg = config();
        cfg.put("earthwo.data", dataDir.toString());
        cfg.put("earthwo.segments", "2");
        c.activate(cfg, k -> null);
        try {
            assertEquals(3, c.count(0));
        } finally {
            c.deactivate();
        }
    }

    @Test
    void activationFailsOnSegmentCountMismatch() {
        Map<String, Object> cfg = config();
        cfg.put("earthwo.data", dataDir.toString());
        cfg.put("earthwo.segments", "4");
        StorageComponent c = new StorageComponent();
        c.activate(cfg, k -> null);
        c.deactivate();

        cfg.put("earthwo.segments", "256");
        StorageComponent other = new StorageComponent();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.activate(cfg, k -> null));
        assertTrue(e.getMessage().contains("was created with 4 segments"), e.getMessage());
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(EarthwoException.class, other::segmentCount).code());
    }
}

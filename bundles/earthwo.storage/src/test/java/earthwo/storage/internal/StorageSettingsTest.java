package earthwo.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StorageSettingsTest {

    @Test
    void defaults() {
        StorageSettings s = StorageSettings.resolve(null, k -> null);
        assertEquals(Path.of("data", "store").toAbsolutePath().normalize(), s.dir());
        assertEquals(256, s.segments());
        assertEquals(DurabilityMode.WRITE_NO_SYNC, s.durability());
        assertEquals(1000, s.flushIntervalMs());
        assertEquals(40, s.cachePercent());
        assertEquals(0, s.cacheBytes());
        assertEquals(Runtime.getRuntime().maxMemory() / 100 * 10, s.recordCacheBytes(), "10 % of the heap");
    }

    @Test
    void recordCacheIsAShareOfTheHeapOrOff() {
        assertEquals(0, StorageSettings.resolve(Map.of("earthwo.storage.record.cache.percent", "0"), k -> null).recordCacheBytes());
        assertEquals(Runtime.getRuntime().maxMemory() / 100 * 25,
                StorageSettings.resolve(Map.of("earthwo.storage.record.cache.percent", "25"), k -> null).recordCacheBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of("earthwo.storage.record.cache.percent", "51"), k -> null));
        assertTrue(e.getMessage().contains("earthwo.storage.record.cache.percent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StorageSettings.resolve(
                Map.of("earthwo.storage.record.cache.percent", "40", "earthwo.storage.cache.percent", "60"), k -> null));
        assertTrue(e.getMessage().contains("leave at least 10 %"), e.getMessage());
    }

    @Test
    void recordCacheSizeInBytesWinsOverTheShare() {
        long min = RecordCache.MIN_CAPACITY_BYTES;
        assertEquals(min, StorageSettings.resolve(Map.of("earthwo.storage.record.cache.bytes", String.valueOf(min)), k -> null)
                .recordCacheBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StorageSettings.resolve(
                Map.of("earthwo.storage.record.cache.bytes", String.valueOf(min - 1)), k -> null));
        assertTrue(e.getMessage().contains("earthwo.storage.record.cache.bytes must be 0 or at least " + min), e.getMessage());
    }

    @Test
    void checkpointsAndCleanerDefaultsAndBounds() {
        StorageSettings s = StorageSettings.resolve(null, k -> null);
        assertEquals(200_000_000L, s.checkpointBytes());
        assertEquals(33, s.cleanerMinUtilization());
        s = StorageSettings.resolve(Map.of("earthwo.storage.checkpoint.bytes", "20000000",
                "earthwo.storage.cleaner.min.utilization", "50"), k -> null);
        assertEquals(20_000_000L, s.checkpointBytes());
        assertEquals(50, s.cleanerMinUtilization());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of("earthwo.storage.cleaner.min.utilization", "95"), k -> null));
        assertEquals("setting earthwo.storage.cleaner.min.utilization must be between 10 and 90, not 95", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of("earthwo.storage.checkpoint.bytes", "1000"), k -> null));
        assertTrue(e.getMessage().startsWith("setting earthwo.storage.checkpoint.bytes must be between 1000000"), e.getMessage());
    }

    @Test
    void theFreeDiskReserveIsHalfAGigabyteByDefaultAndMayBeOffButNotNegativeOrHuge() {
        assertEquals(512L << 20, StorageSettings.resolve(null, k -> null).freeDiskBytes());
        assertEquals(0, StorageSettings.resolve(Map.of("earthwo.storage.free.disk.bytes", "0"), k -> null).freeDiskBytes());
        assertEquals(1L << 40, StorageSettings.resolve(Map.of("earthwo.storage.free.disk.bytes", String.valueOf(1L << 40)),
                k -> null).freeDiskBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of("earthwo.storage.free.disk.bytes", "-1"), k -> null));
        assertEquals("setting earthwo.storage.free.disk.bytes must be between 0 and 1099511627776, not -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StorageSettings.resolve(
                Map.of("earthwo.storage.free.disk.bytes", String.valueOf((1L << 40) + 1)), k -> null));
        assertTrue(e.getMessage().startsWith("setting earthwo.storage.free.disk.bytes must be between 0 and"), e.getMessage());
    }

    @Test
    void recordCacheWarmUpIsOnUnlessTurnedOff() {
        assertTrue(StorageSettings.resolve(null, k -> null).recordCacheWarmup());
        assertFalse(StorageSettings.resolve(Map.of("earthwo.storage.record.cache.warmup", "False"), k -> null).recordCacheWarmup());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of("earthwo.storage.record.cache.warmup", "yes"), k -> null));
        assertEquals("setting earthwo.storage.record.cache.warmup must be true or false, not 'yes'", e.getMessage());
    }

    @Test
    void storeLivesUnderTheDataDirectoryFromTheFramework() {
        Map<String, String> framework = Map.of("earthwo.data", "/var/lib/earthwo", "earthwo.segments", "64");
        StorageSettings s = StorageSettings.resolve(Map.of(), framework::get);
        assertEquals(Path.of("/var/lib/earthwo/store"), s.dir());
        assertEquals(64, s.segments());
    }

    @Test
    void configurationOverridesFrameworkProperties() {
        Map<String, String> framework = Map.of("earthwo.storage.durability", "no_sync", "earthwo.segments", "64");
        StorageSettings s = StorageSettings.resolve(
                Map.of("earthwo.storage.durability", "SYNC", "earthwo.segments", 16, "earthwo.storage.cache.bytes", "1000000"),
                framework::get);
        assertEquals(DurabilityMode.SYNC, s.durability());
        assertEquals(16, s.segments());
        assertEquals(1_000_000, s.cacheBytes());
    }

    @Test
    void badValuesNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of("earthwo.storage.durability", "fsync"), k -> null));
        assertTrue(e.getMessage().contains("earthwo.storage.durability"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StorageSettings.resolve(Map.of("earthwo.segments", "0"), k -> null));
        assertTrue(e.getMessage().contains("earthwo.segments"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StorageSettings.resolve(Map.of("earthwo.storage.cache.percent", "95"), k -> null));
        assertTrue(e.getMessage().contains("earthwo.storage.cache.percent"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StorageSettings.resolve(Map.of("earthwo.storage.cache.bytes", "lots"), k -> null));
    }
}

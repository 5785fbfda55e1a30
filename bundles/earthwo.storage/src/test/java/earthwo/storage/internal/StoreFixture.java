package earthwo.storage.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Settings and records for tests: a small JE cache and few segments in a temporary directory,
 * no warm-up of the record cache.
 */
final class StoreFixture {

    private StoreFixture() {
    }

    static Map<String, Object> config(Path dir, int segments) {
        Map<String, Object> c = new HashMap<>();
        c.put(StorageSettings.DIR, dir.toString());
        c.put("earthwo.segments", String.valueOf(segments));
        c.put(StorageSettings.CACHE_BYTES, String.valueOf(16L << 20));
        // Tests that count the record cache's misses after a reopen need it cold; the warm-up's own tests turn it on.
        c.put(StorageSettings.RECORD_CACHE_WARMUP, "false");
        return c;
    }

    static StorageSettings settings(Path dir, int segments) {
        return StorageSettings.resolve(config(dir, segments), k -> null);
    }

    static JeSegmentStore open(Path dir, int segments) {
        return JeSegmentStore.open(settings(dir, segments));
    }

    static Record value(String key, String value, long timestamp, int node) {
        return Record.value(Keys.utf8(key), Keys.utf8(value), new Version(timestamp, node), Record.NEVER);
    }
}

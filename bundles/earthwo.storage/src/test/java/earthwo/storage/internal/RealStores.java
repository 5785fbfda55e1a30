package earthwo.storage.internal;

import earthwo.api.storage.HintStore;
import earthwo.api.storage.SegmentStore;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Opens the real JE store for other bundles' tests (the replication coordinator's), which get it
 * from this bundle's test-jar. It lives in the store's package because the store's factory is
 * package-private (nothing outside the bundle should open one).
 */
public final class RealStores {

    private RealStores() {
    }

    public static SegmentStore open(Path dir, int segments) {
        return open(dir, segments, Map.of());
    }

    /**
     * As {@link #open(Path, int)}, with storage settings added or replaced by {@code settings}
     * (e.g. {@code earthwo.storage.outbox.enabled=true} for a store that keeps an outbox).
     */
    public static SegmentStore open(Path dir, int segments, Map<String, ?> settings) {
        Map<String, Object> config = new HashMap<>(Map.of(StorageSettings.DIR, dir.toString(),
                "earthwo.segments", String.valueOf(segments), StorageSettings.CACHE_BYTES, String.valueOf(16L << 20)));
        config.putAll(settings);
        return JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
    }

    /** The hint store living in the same JE environment as {@code store}. */
    public static HintStore hints(SegmentStore store) {
        return ((JeSegmentStore) store).hints();
    }

    public static void close(SegmentStore store) {
        ((JeSegmentStore) store).close();
    }
}

package earthwo.storage.internal;

import earthwo.api.storage.HintStore;
import earthwo.api.storage.SegmentStore;

import java.nio.file.Path;
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
        return JeSegmentStore.open(StorageSettings.resolve(Map.of(StorageSettings.DIR, dir.toString(),
                "earthwo.segments", String.valueOf(segments), StorageSettings.CACHE_BYTES, String.valueOf(16L << 20)), k -> null));
    }

    /** The hint store living in the same JE environment as {@code store}. */
    public static HintStore hints(SegmentStore store) {
        return ((JeSegmentStore) store).hints();
    }

    public static void close(SegmentStore store) {
        ((JeSegmentStore) store).close();
    }
}

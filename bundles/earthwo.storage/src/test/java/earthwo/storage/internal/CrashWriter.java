package earthwo.storage.internal;

import java.nio.file.Path;
import java.util.Map;

/**
 * Child process of {@link KillDurabilityTest}: opens a store, applies records k0, k1, … and
 * prints the index of each one after apply returned (acknowledged), until it is killed.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) {
        Map<String, Object> config = StoreFixture.config(Path.of(args[0]), 2);
        config.put(StorageSettings.DURABILITY, args[1]);
        JeSegmentStore store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
        for (int i = 0; ; i++) {
            store.apply(i % 2, StoreFixture.value("k" + i, "v" + i, i + 1, 1));
            System.out.println(i);
            System.out.flush();
        }
    }
}

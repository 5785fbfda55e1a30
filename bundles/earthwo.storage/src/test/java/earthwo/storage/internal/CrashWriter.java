package earthwo.storage.internal;

import java.nio.file.Path;
import java.util.Map;

/**
 * Child process of {@link KillDurabilityTest}: opens a store, applies records k0, k1, … and
 * prints the index of each one once it is acknowledged, until it is killed: after {@code apply}
 * returned, or with a third argument {@code deferred}, in groups of 20 {@code applyDeferred}
 * calls after {@code durable()} completed.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) {
        Map<String, Object> config = StoreFixture.config(Path.of(args[0]), 2);
        config.put(StorageSettings.DURABILITY, args[1]);
        JeSegmentStore store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
        boolean deferred = args.length > 2 && args[2].equals("deferred");
        for (int i = 0; ; i++) {
            if (!deferred) {
                store.apply(i % 2, StoreFixture.value("k" + i, "v" + i, i + 1, 1));
                System.out.println(i);
            } else if (i % 20 == 19) {
                for (int j = i - 19; j <= i; j++) {
                    store.applyDeferred(j % 2, StoreFixture.value("k" + j, "v" + j, j + 1, 1));
                }
                store.durable().toCompletableFuture().join();
                for (int j = i - 19; j <= i; j++) {
                    System.out.println(j);
                }
            } else {
                continue;
            }
            System.out.flush();
        }
    }
}

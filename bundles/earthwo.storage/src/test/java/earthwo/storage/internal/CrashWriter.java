package earthwo.storage.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Child process of {@link KillDurabilityTest}: opens a store, applies records k0, k1, … and
 * prints the index of each one once it is acknowledged, until it is killed: after {@code apply}
 * returned, or with a third argument {@code deferred}, in groups of 20 {@code applyDeferred}
 * calls after {@code durable()} completed; with {@code burst}, each group in a commit burst,
 * acknowledged once the burst's end completed {@code durable()}; with {@code expiry}, as
 * {@code direct} but most records have an expiry, which later writes of the key change or remove,
 * so the expiry index changes with nearly every write; with {@code outbox}, the outbox on, as
 * {@code deferred} but each group also updates or deletes keys written before, so the outbox
 * holds events of keys that changed again; with {@code index}, the outbox off but secondary
 * index entries kept ({@link TestIndexEntries}), writing as {@code outbox} does, the updates
 * moving every entry of their key to a new expiry.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) {
        Map<String, Object> config = StoreFixture.config(Path.of(args[0]), 2);
        config.put(StorageSettings.DURABILITY, args[1]);
        String how = args.length > 2 ? args[2] : "direct";
        boolean outbox = how.equals("outbox");
        boolean index = how.equals("index");
        config.put(StorageSettings.OUTBOX_ENABLED, String.valueOf(outbox));
        JeSegmentStore store = JeSegmentStore.open(StorageSettings.resolve(config, k -> null));
        if (index) {
            store.useIndexEntries(TestIndexEntries.firstByteAndParts());
        }
        boolean expiry = how.equals("expiry");
        boolean deferred = !how.equals("direct") && !expiry;
        int group = deferred ? 20 : 1;
        for (int first = 0; ; first += group) {
            if (how.equals("burst") && !store.begin()) {
                throw new IllegalStateException("the store refused a commit burst");
            }
            for (int i = first; i < first + group; i++) {
                if (outbox || index) {
                    applyChangingEarlierKeys(store, i, index);
                } else if (deferred) {
                    store.applyDeferred(i % 2, StoreFixture.value("k" + i, "v" + i, i + 1, 1));
                } else if (expiry) {
                    applyWithExpiry(store, i);
                } else {
                    store.apply(i % 2, StoreFixture.value("k" + i, "v" + i, i + 1, 1));
                }
            }
            if (deferred) {
                CompletableFuture<Void> durable = store.durable().toCompletableFuture();
                store.end(); // in a burst: its one log write; otherwise nothing
                durable.join(); // a direct apply must be durable alone
            }
            for (int i = first; i < first + group; i++) {
                System.out.println(i);
            }
            System.out.flush();
        }
    }

    /**
     * k{i}, then k{i-5} updated (its value kept; {@code withExpiry}: given an expiry) or, every
     * 4th time, deleted.
     */
    private static void applyChangingEarlierKeys(JeSegmentStore store, int i, boolean withExpiry) {
        store.applyDeferred(i % 2, StoreFixture.value("k" + i, value(i, withExpiry), i + 1, 1));
        if (i >= 5) {
            int k = i - 5;
            Record change = i % 4 == 0 ? Record.tombstone(Keys.utf8("k" + k), new Version(1_000_000 + i, 1))
                    : Record.value(Keys.utf8("k" + k), Keys.utf8(value(k, withExpiry)), new Version(1_000_000 + i, 1),
                            withExpiry ? 2_000_000 + i : Record.NEVER);
            store.applyDeferred(k % 2, change);
        }
    }

    /** The value written to k{i}: with the index on, it has two parts, so each record has several entries. */
    static String value(int i, boolean index) {
        return index ? "v" + i + ",p" + (i % 5) : "v" + i;
    }

    /** k{i} with an expiry (none for every third), and k{i-5}'s expiry moved or (every 4th time) removed. */
    private static void applyWithExpiry(JeSegmentStore store, int i) {
        store.apply(i % 2, Record.value(Keys.utf8("k" + i), Keys.utf8("v" + i), new Version(i + 1, 1),
                i % 3 == 0 ? Record.NEVER : 1_000_000 + i));
        if (i >= 5) {
            int k = i - 5;
            store.apply(k % 2, Record.value(Keys.utf8("k" + k), Keys.utf8("v" + k), new Version(1_000_000 + i, 1),
                    i % 4 == 0 ? Record.NEVER : 2_000_000 + i));
        }
    }
}

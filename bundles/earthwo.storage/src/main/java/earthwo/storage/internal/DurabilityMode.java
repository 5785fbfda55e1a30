package earthwo.storage.internal;

import com.sleepycat.je.Durability;

import java.util.Locale;

/**
 * What a successful {@code apply} or {@code purge} guarantees when it returns (setting
 * {@value StorageSettings#DURABILITY}). In every mode JE also writes and fsyncs its log in the
 * background at least every {@value StorageSettings#FLUSH_INTERVAL} milliseconds (default 1000),
 * and an orderly close (bundle stop or update) makes everything durable.
 */
enum DurabilityMode {

    /**
     * Default. Each commit is written to the operating system (write(2), no fsync) before it
     * returns (before {@code durable()} completes, for {@code applyDeferred}: one write for a
     * group of commits, see {@link GroupCommit}), so killing the process ({@code kill -9}, JVM crash) loses no acknowledged write. A
     * power loss or OS crash may lose what was committed since the last background fsync, about
     * the last second (like Redis' {@code appendfsync everysec}).
     */
    WRITE_NO_SYNC(Durability.COMMIT_WRITE_NO_SYNC),

    /** Each commit is fsynced before it returns: survives power loss; slowest. */
    SYNC(Durability.COMMIT_SYNC),

    /**
     * Commits stay in JE's in-memory log buffer until it fills or the background flush (about
     * every second) writes it: killing the process or a power loss loses the recent
     * acknowledged writes (about the last second or two). Fastest; for data that can be rebuilt
     * from other replicas.
     */
    NO_SYNC(Durability.COMMIT_NO_SYNC);

    private final Durability je;

    DurabilityMode(Durability je) {
        this.je = je;
    }

    Durability je() {
        return je;
    }

    /** The setting's spelling: write_no_sync, sync, no_sync. */
    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static DurabilityMode parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (DurabilityMode m : values()) {
            if (m.configName().equals(v)) {
                return m;
            }
        }
        throw new IllegalArgumentException("setting " + StorageSettings.DURABILITY + " must be one of write_no_sync, sync, no_sync, not '" + s + "'");
    }
}

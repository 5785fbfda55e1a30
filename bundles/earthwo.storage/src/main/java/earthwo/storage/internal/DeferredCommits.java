package earthwo.storage.internal;

import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.TransactionConfig;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How a store makes deferred commits durable ({@link earthwo.api.storage.SegmentStore#applyDeferred},
 * {@link earthwo.api.storage.CommitBursts}): such a commit leaves the log in JE's buffer, and a
 * {@link GroupCommit} chosen by the durability mode writes it for many commits at once. In
 * no_sync there is none: a commit writes nothing anyway, so a deferred commit is an ordinary one.
 */
final class DeferredCommits {

    /** Commits of applyDeferred: left in JE's log buffer for the group commit to write. */
    private static final TransactionConfig DEFERRED = new TransactionConfig();

    static {
        DEFERRED.setDurability(Durability.COMMIT_NO_SYNC);
    }

    /** Writes deferred commits in groups; null where commits are not written anyway (no_sync). */
    private final GroupCommit groupCommit;

    /**
     * Starts the group commit's thread where the durability mode has one. Its log writes fail
     * with JE's failures translated by {@code guard}; {@code bursts} are the store's open bursts.
     */
    DeferredCommits(StorageSettings settings, Environment env, JeOperationGuard guard, ThreadLocal<GroupCommit.Burst> bursts) {
        String name = settings.dir().toString();
        this.groupCommit = switch (settings.durability()) {
            case NO_SYNC -> null;
            // The group commit thread writes after close too (for those still waiting): not gated.
            case SYNC -> new GroupCommit(name, () -> flush(guard, env, "fsync", true), null, bursts);
            // A write(2) of the log buffer costs less than waking a thread: bursts write it themselves.
            case WRITE_NO_SYNC -> new GroupCommit(name, () -> flush(guard, env, "write", false),
                    () -> guard.gated("log", "write", () -> {
                        env.flushLog(false);
                        return null;
                    }), bursts);
        };
    }

    private static void flush(JeOperationGuard guard, Environment env, String op, boolean fsync) {
        guard.translated("log", op, () -> {
            env.flushLog(fsync);
            return null;
        });
    }

    /** The transaction configuration of a deferred commit; null (the store's own durability) in no_sync. */
    TransactionConfig transactionConfig() {
        return groupCommit == null ? null : DEFERRED;
    }

    /** Completes once every deferred commit made before this call is as durable as the mode makes commits. */
    CompletionStage<Void> durable() {
        return groupCommit == null ? CompletableFuture.completedFuture(null) : groupCommit.next();
    }

    /** Opens a commit burst on the calling thread; see {@link GroupCommit#beginBurst()}. */
    boolean beginBurst() {
        return groupCommit != null && groupCommit.beginBurst();
    }

    void endBurst() {
        if (groupCommit != null) {
            groupCommit.endBurst();
        }
    }

    /** The group commit (its counters), or null where there is none (no_sync). */
    GroupCommit groupCommit() {
        return groupCommit;
    }

    /** Writes for the deferred commits still waiting, then stops the group commit's thread. */
    void close() {
        if (groupCommit != null) {
            groupCommit.close();
        }
    }
}

package earthwo.hooks.internal;

import earthwo.api.NodeProperties;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Settings of the hooks dispatcher ({@link HooksComponent}), resolved with {@link NodeProperties}:
 * component configuration (PID {@value #PID}), then framework property, then the default next to
 * each key. {@link #BATCH}, {@link #TIMEOUT} and {@link #MAX_BACKOFF} are defaults a hook may
 * override with its own service properties (see {@link earthwo.api.hooks.KeyHook}), within the
 * same bounds.
 */
final class HooksSettings {

    static final String PID = "earthwo.hooks";

    /** Events handed to a hook in one {@code deliver} call at most. */
    static final String BATCH = "earthwo.hooks.batch";
    static final String BATCH_DEFAULT = "100";
    static final int BATCH_MIN = 1;
    static final int BATCH_MAX = 10_000;

    /** How long a {@code deliver} call may take before it counts as failed and is retried (ms). */
    static final String TIMEOUT = "earthwo.hooks.timeout.ms";
    static final String TIMEOUT_DEFAULT = "10000";
    static final long TIMEOUT_MIN = 10;
    static final long TIMEOUT_MAX = 3_600_000;

    /** The longest pause between attempts of a failing batch (ms); the first pause is 100 ms. */
    static final String MAX_BACKOFF = "earthwo.hooks.backoff.max.ms";
    static final String MAX_BACKOFF_DEFAULT = "30000";
    static final long MAX_BACKOFF_MIN = Backoff.INITIAL_MS;
    static final long MAX_BACKOFF_MAX = 3_600_000;

    /**
     * How old an event's version must be before it is delivered (ms). A change coordinated by
     * another replica may reach this node's outbox a little after newer ones; delivering past it
     * would move the position beyond it and the hook would never see it.
     */
    static final String SETTLE = "earthwo.hooks.settle.ms";
    static final String SETTLE_DEFAULT = "500";

    /**
     * How often the positions of the segments this node masters go to the segments' other
     * replicas (ms): after a failover the new master resumes at most this far behind.
     */
    static final String POSITION_SYNC = "earthwo.hooks.position.sync.ms";
    static final String POSITION_SYNC_DEFAULT = "1000";

    /**
     * A name with positions that is not registered on this node and was not saved for this long
     * (ms) is forgotten: it no longer holds back the trimming of the outbox. At least 10 minutes:
     * the store keeps the time of a name's last save to the minute.
     */
    static final String FORGET_AFTER = "earthwo.hooks.forget.after.ms";
    static final String FORGET_AFTER_DEFAULT = "604800000";

    /** While no hook name is known at all, events older than this (ms) are trimmed from the outbox. */
    static final String UNCLAIMED_RETAIN = "earthwo.hooks.unclaimed.retain.ms";
    static final String UNCLAIMED_RETAIN_DEFAULT = "60000";

    final int batch;
    final long timeoutMs;
    final long maxBackoffMs;
    final long settleMs;
    final long positionSyncMs;
    final long forgetAfterMs;
    final long unclaimedRetainMs;

    HooksSettings(int batch, long timeoutMs, long maxBackoffMs, long settleMs, long positionSyncMs, long forgetAfterMs,
                  long unclaimedRetainMs) {
        this.batch = batch;
        this.timeoutMs = timeoutMs;
        this.maxBackoffMs = maxBackoffMs;
        this.settleMs = settleMs;
        this.positionSyncMs = positionSyncMs;
        this.forgetAfterMs = forgetAfterMs;
        this.unclaimedRetainMs = unclaimedRetainMs;
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static HooksSettings resolve(Map<String, ?> c, UnaryOperator<String> f) {
        return new HooksSettings(
                NodeProperties.getInt(BATCH, c, f, BATCH_DEFAULT, BATCH_MIN, BATCH_MAX),
                NodeProperties.getLong(TIMEOUT, c, f, TIMEOUT_DEFAULT, TIMEOUT_MIN, TIMEOUT_MAX),
                NodeProperties.getLong(MAX_BACKOFF, c, f, MAX_BACKOFF_DEFAULT, MAX_BACKOFF_MIN, MAX_BACKOFF_MAX),
                NodeProperties.getLong(SETTLE, c, f, SETTLE_DEFAULT, 0, 60_000),
                NodeProperties.getLong(POSITION_SYNC, c, f, POSITION_SYNC_DEFAULT, 10, 60_000),
                NodeProperties.getLong(FORGET_AFTER, c, f, FORGET_AFTER_DEFAULT, 600_000, 365L * 86_400_000),
                NodeProperties.getLong(UNCLAIMED_RETAIN, c, f, UNCLAIMED_RETAIN_DEFAULT, 0, 7L * 86_400_000));
    }

    @Override
    public String toString() {
        return "batch " + batch + ", timeout " + timeoutMs + " ms, back-off up to " + maxBackoffMs + " ms, settle "
                + settleMs + " ms, position sync every " + positionSyncMs + " ms";
    }
}

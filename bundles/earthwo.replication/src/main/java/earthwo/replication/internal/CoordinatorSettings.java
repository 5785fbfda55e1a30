package earthwo.replication.internal;

import earthwo.api.NodeProperties;
import earthwo.api.WriteConcern;

import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Settings of the write coordinator and its hint replay ({@link KvComponent}), resolved with
 * {@link NodeProperties}: component configuration (PID {@value #PID}), then framework property,
 * then the default next to each key. The key and value limits are the node-wide ones of
 * {@link NodeProperties#maxKeyBytes} and {@link NodeProperties#maxValueBytes}, so the server and
 * the coordinator always enforce the same limit.
 */
final class CoordinatorSettings {

    static final String PID = "earthwo.replication";

    /** Write concern of writes that do not choose one: one, quorum or all. */
    static final String DEFAULT_WRITE_CONCERN = "earthwo.replication.write.concern";
    static final String DEFAULT_WRITE_CONCERN_DEFAULT = "quorum";

    /** How long a replica may take to acknowledge a write before it gets a hint, in ms. */
    static final String REPLICA_TIMEOUT = "earthwo.replication.replica.timeout.ms";
    static final String REPLICA_TIMEOUT_DEFAULT = "2000";

    /** How long a forwarded write may take on the replica it was forwarded to, in ms. */
    static final String FORWARD_TIMEOUT = "earthwo.replication.forward.timeout.ms";
    static final String FORWARD_TIMEOUT_DEFAULT = "5000";

    /** Pause between hint replay passes, in ms (also the first backoff after a failure). */
    static final String HINT_REPLAY_INTERVAL = "earthwo.replication.hint.replay.interval.ms";
    static final String HINT_REPLAY_INTERVAL_DEFAULT = "1000";

    /** Longest backoff between hint replay attempts to a node that keeps failing, in ms. */
    static final String HINT_REPLAY_MAX_BACKOFF = "earthwo.replication.hint.replay.max.backoff.ms";
    static final String HINT_REPLAY_MAX_BACKOFF_DEFAULT = "30000";

    /** Hints read from storage at a time when replaying to one node. */
    static final String HINT_REPLAY_BATCH = "earthwo.replication.hint.replay.batch";
    static final String HINT_REPLAY_BATCH_DEFAULT = "256";

    /**
     * Milliseconds added to the wall clock the coordinator and its hybrid logical clock read
     * (negative: behind). For tests of clock skew only; a non-zero offset is logged as a warning.
     */
    static final String CLOCK_OFFSET = "earthwo.clock.offset.ms";
    static final String CLOCK_OFFSET_DEFAULT = "0";

    private static final long TEN_YEARS_MS = 10L * 366 * 24 * 3600 * 1000;

    final int maxKeyBytes;
    final int maxValueBytes;
    final WriteConcern defaultWriteConcern;
    final long replicaTimeoutMs;
    final long forwardTimeoutMs;
    final long hintReplayIntervalMs;
    final long hintReplayMaxBackoffMs;
    final int hintReplayBatch;
    final long clockOffsetMs;
    final long clockMaxOffsetMs;

    private CoordinatorSettings(Map<String, ?> c, UnaryOperator<String> f) {
        maxKeyBytes = NodeProperties.maxKeyBytes(c, f);
        maxValueBytes = NodeProperties.maxValueBytes(c, f);
        defaultWriteConcern = writeConcern(NodeProperties.get(DEFAULT_WRITE_CONCERN, c, f, DEFAULT_WRITE_CONCERN_DEFAULT));
        replicaTimeoutMs = NodeProperties.getLong(REPLICA_TIMEOUT, c, f, REPLICA_TIMEOUT_DEFAULT, 1, 3_600_000);
        forwardTimeoutMs = NodeProperties.getLong(FORWARD_TIMEOUT, c, f, FORWARD_TIMEOUT_DEFAULT, 1, 3_600_000);
        hintReplayIntervalMs = NodeProperties.getLong(HINT_REPLAY_INTERVAL, c, f, HINT_REPLAY_INTERVAL_DEFAULT, 1, 3_600_000);
        hintReplayMaxBackoffMs = NodeProperties.getLong(HINT_REPLAY_MAX_BACKOFF, c, f, HINT_REPLAY_MAX_BACKOFF_DEFAULT,
                1, 24 * 3_600_000);
        if (hintReplayMaxBackoffMs < hintReplayIntervalMs) {
            throw new IllegalArgumentException("setting " + HINT_REPLAY_MAX_BACKOFF + " (" + hintReplayMaxBackoffMs
                    + ") must not be below " + HINT_REPLAY_INTERVAL + " (" + hintReplayIntervalMs + ")");
        }
        hintReplayBatch = NodeProperties.getInt(HINT_REPLAY_BATCH, c, f, HINT_REPLAY_BATCH_DEFAULT, 1, 100_000);
        clockOffsetMs = NodeProperties.getLong(CLOCK_OFFSET, c, f, CLOCK_OFFSET_DEFAULT, -TEN_YEARS_MS, TEN_YEARS_MS);
        clockMaxOffsetMs = NodeProperties.clockMaxOffsetMs(c, f);
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static CoordinatorSettings resolve(Map<String, ?> config, UnaryOperator<String> framework) {
        return new CoordinatorSettings(config, framework);
    }

    private static WriteConcern writeConcern(String v) {
        String name = v.trim().toUpperCase(Locale.ROOT);
        if (!name.equals("DEFAULT")) {
            for (WriteConcern w : WriteConcern.values()) {
                if (w.name().equals(name)) {
                    return w;
                }
            }
        }
        throw new IllegalArgumentException("setting " + DEFAULT_WRITE_CONCERN + " must be one, quorum or all, not '" + v + "'");
    }

    @Override
    public String toString() {
        return "maxKey=" + maxKeyBytes + ", maxValue=" + maxValueBytes + ", defaultW=" + defaultWriteConcern
                + ", replicaTimeout=" + replicaTimeoutMs + "ms, forwardTimeout=" + forwardTimeoutMs + "ms, clockMaxOffset="
                + clockMaxOffsetMs + "ms";
    }
}

package earthwo.replication.internal;

import earthwo.api.NodeProperties;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Settings of {@link DroppedReplicaComponent}, resolved with {@link NodeProperties}: component
 * configuration (PID {@value #PID}), then framework property, then the default next to each key.
 */
final class ReplicaCleanerSettings {

    static final String PID = "earthwo.replication.cleaner";

    /**
     * How long a segment must not have been held before its records are removed, in ms. Long
     * enough that a rolling restart or a short map flap moves no data twice.
     */
    static final String DELAY = "earthwo.replica.drop.delay.ms";
    static final String DELAY_DEFAULT = "600000";

    final long delayMs;

    private ReplicaCleanerSettings(Map<String, ?> c, UnaryOperator<String> f) {
        delayMs = NodeProperties.getLong(DELAY, c, f, DELAY_DEFAULT, 0, 30L * 24 * 3_600_000);
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static ReplicaCleanerSettings resolve(Map<String, ?> config, UnaryOperator<String> framework) {
        return new ReplicaCleanerSettings(config, framework);
    }
}

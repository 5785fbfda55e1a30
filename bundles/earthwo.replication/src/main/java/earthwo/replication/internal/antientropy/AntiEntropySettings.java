package earthwo.replication.internal.antientropy;

import earthwo.api.NodeProperties;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Settings of {@link AntiEntropyComponent}, resolved with {@link NodeProperties}: component
 * configuration (PID {@value #PID}), then framework property, then the default next to each key.
 */
final class AntiEntropySettings {

    static final String PID = "earthwo.antientropy";

    /** Pause between periodic passes over the segments this node masters, in ms; 0 disables them. */
    static final String INTERVAL = "earthwo.antientropy.interval.ms";
    static final String INTERVAL_DEFAULT = "30000";

    /**
     * How long a tombstone is kept before it may be purged without every replica having confirmed
     * it, in ms. A replica away for longer may bring a deleted key back.
     */
    static final String GRACE = "earthwo.tombstone.grace.ms";
    static final String GRACE_DEFAULT = "3600000";

    /** How long one anti-entropy message may take on the peer, in ms. */
    static final String TIMEOUT = "earthwo.antientropy.timeout.ms";
    static final String TIMEOUT_DEFAULT = "30000";

    final long intervalMs;
    final long tombstoneGraceMs;
    final long timeoutMs;
    /** See {@link NodeProperties#CLOCK_MAX_OFFSET}. */
    final long clockMaxOffsetMs;

    private AntiEntropySettings(Map<String, ?> c, UnaryOperator<String> f) {
        intervalMs = NodeProperties.getLong(INTERVAL, c, f, INTERVAL_DEFAULT, 0, 24L * 3_600_000);
        tombstoneGraceMs = NodeProperties.getLong(GRACE, c, f, GRACE_DEFAULT, 0, 365L * 24 * 3_600_000);
        timeoutMs = NodeProperties.getLong(TIMEOUT, c, f, TIMEOUT_DEFAULT, 1, 3_600_000);
        clockMaxOffsetMs = NodeProperties.clockMaxOffsetMs(c, f);
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static AntiEntropySettings resolve(Map<String, ?> config, UnaryOperator<String> framework) {
        return new AntiEntropySettings(config, framework);
    }
}

package earthwo.ttl.internal;

import earthwo.api.NodeProperties;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Settings of the {@link Reaper}, resolved with {@link NodeProperties}: component configuration
 * (PID {@value #PID}), then framework property, then the default next to each key.
 */
final class TtlSettings {

    static final String PID = "earthwo.ttl";

    /**
     * Pause between reaper passes over the segments this node masters, in ms. Short, so that an
     * expired key is gone within about a second (DESIGN §7); a pass over nothing expired costs
     * one index lookup per mastered segment.
     */
    static final String REAP_INTERVAL = "earthwo.ttl.reap.interval.ms";
    static final String REAP_INTERVAL_DEFAULT = "100";

    /** Expiry index entries the reaper reads from a segment at a time. */
    static final String REAP_BATCH = "earthwo.ttl.reap.batch";
    static final String REAP_BATCH_DEFAULT = "1000";

    /**
     * Reaps (replicated deletes) the reaper keeps in flight at most: bounds what it adds to the
     * write path when many keys expire at once.
     */
    static final String REAP_INFLIGHT = "earthwo.ttl.reap.inflight";
    static final String REAP_INFLIGHT_DEFAULT = "256";

    final long intervalMs;
    final int batch;
    final int inFlight;

    TtlSettings(long intervalMs, int batch, int inFlight) {
        this.intervalMs = intervalMs;
        this.batch = batch;
        this.inFlight = inFlight;
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static TtlSettings resolve(Map<String, ?> c, UnaryOperator<String> f) {
        return new TtlSettings(
                NodeProperties.getLong(REAP_INTERVAL, c, f, REAP_INTERVAL_DEFAULT, 10, 60_000),
                NodeProperties.getInt(REAP_BATCH, c, f, REAP_BATCH_DEFAULT, 1, 100_000),
                NodeProperties.getInt(REAP_INFLIGHT, c, f, REAP_INFLIGHT_DEFAULT, 1, 65_536));
    }

    @Override
    public String toString() {
        return "interval " + intervalMs + " ms, batch " + batch + ", in flight " + inFlight;
    }
}

package earthwo.ttl.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The facts of the "ttl" status source (shown by {@code node:status} as {@code ttl.KEY} and by
 * {@code ttl:status}), in a fixed, readable order.
 */
final class TtlStatus {

    /** Shown for a lag percentile before the first reap. */
    static final String NO_VALUE = "n/a";

    private TtlStatus() {
    }

    /**
     * @param census the index counts; may throw (store unavailable), shown then as unavailable
     *        instead of failing the whole status
     */
    static Map<String, Object> facts(ReapStats stats, Supplier<ExpiryCensus.Counts> census, boolean running,
                                     int inFlight) {
        Map<String, Object> m = new LinkedHashMap<>();
        ExpiryCensus.Counts c = null;
        String unavailable = null;
        try {
            c = census.get();
        } catch (RuntimeException e) {
            unavailable = "unavailable: " + ReapDispatcher.describe(e);
        }
        m.put("keys.with.expiry", c == null ? unavailable : c.keysWithExpiry());
        m.put("expired.unreaped", c == null ? unavailable : c.unreapedShown());
        m.put("reaped", stats.reaped.sum());
        m.put("reap.failures", stats.failures.sum());
        m.put("reaper.lag.p50.ms", percentile(stats.lag, 50));
        m.put("reaper.lag.p99.ms", percentile(stats.lag, 99));
        m.put("index.entries", c == null ? unavailable : c.indexEntries());
        m.put("reaper.running", running);
        m.put("reaper.passes", stats.passes.sum());
        m.put("reaper.last.pass.ms", stats.lastPassMillis() < 0 ? NO_VALUE : stats.lastPassMillis());
        m.put("reaper.inflight", inFlight);
        m.put("reaper.errors", stats.errors.sum());
        m.put("reap.skipped.changed", stats.skipped.sum() + stats.notReaped.sum());
        return m;
    }

    private static Object percentile(LagWindow lag, double p) {
        long v = lag.percentile(p);
        return v < 0 ? NO_VALUE : v;
    }
}

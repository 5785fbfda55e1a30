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
    /**
     * Segments this node masters but does not reap yet: they have other replicas and anti-entropy
     * has not confirmed this node's copy in sync with one of them since it started.
     */
    static final String SEGMENTS_AWAITING_SYNC = "segments.awaiting.sync";
    /** Whether the ReplicaSync service (the replication bundle's anti-entropy) is there. */
    static final String REPLICA_SYNC_AVAILABLE = "replica.sync.available";

    private TtlStatus() {
    }

    /**
     * @param census the index counts; may throw (store unavailable), shown then as unavailable
     *        instead of failing the whole status
     * @param awaiting the segments this node masters but does not reap until anti-entropy confirms
     *        its copy ({@link ReapGate})
     */
    static Map<String, Object> facts(ReapStats stats, Supplier<ExpiryCensus.Counts> census,
                                     Supplier<ReapGate.Awaiting> awaiting, boolean running, int inFlight) {
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
        ReapGate.Awaiting a = null;
        try {
            a = awaiting.get();
        } catch (RuntimeException e) {
            unavailable = "unavailable: " + ReapDispatcher.describe(e);
        }
        m.put(SEGMENTS_AWAITING_SYNC, a == null ? unavailable : a.segments());
        m.put(REPLICA_SYNC_AVAILABLE, a == null ? unavailable : !a.replicaSyncAbsent());
        return m;
    }

    private static Object percentile(LagWindow lag, double p) {
        long v = lag.percentile(p);
        return v < 0 ? NO_VALUE : v;
    }
}

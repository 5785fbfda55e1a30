package earthwo.indexes.internal;

import earthwo.api.NodeProperties;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Settings of the secondary indexes ({@link IndexesComponent}), resolved with
 * {@link NodeProperties}: component configuration (PID {@value #PID}), then framework property,
 * then the default next to each key.
 */
final class IndexesSettings {

    static final String PID = "earthwo.indexes";

    /**
     * How long an index whose extractor scheme is missing on this node waits for it (ms) before it
     * is unavailable here and built anew when the scheme comes. Meanwhile the store keeps every
     * change for the indexes, so an extractor bundle that is updated, or starts after this one,
     * costs no rebuild.
     */
    static final String SCHEME_GRACE = "earthwo.indexes.scheme.grace.ms";
    static final String SCHEME_GRACE_DEFAULT = "30000";

    /** Records a backfill step reads and indexes, under their locks, at a time. */
    static final String BACKFILL_BATCH = "earthwo.indexes.backfill.batch";
    static final String BACKFILL_BATCH_DEFAULT = "200";

    /** How long the node that takes a query waits for another node's rows (ms) before it asks the next replica. */
    static final String QUERY_TIMEOUT = "earthwo.indexes.query.timeout.ms";
    static final String QUERY_TIMEOUT_DEFAULT = "10000";

    final long schemeGraceMs;
    final int backfillBatch;
    final long queryTimeoutMs;
    final Path dataDir;

    IndexesSettings(long schemeGraceMs, int backfillBatch, long queryTimeoutMs, Path dataDir) {
        this.schemeGraceMs = schemeGraceMs;
        this.backfillBatch = backfillBatch;
        this.queryTimeoutMs = queryTimeoutMs;
        this.dataDir = dataDir;
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static IndexesSettings resolve(Map<String, ?> c, UnaryOperator<String> f) {
        return new IndexesSettings(
                NodeProperties.getLong(SCHEME_GRACE, c, f, SCHEME_GRACE_DEFAULT, 0, 3_600_000),
                NodeProperties.getInt(BACKFILL_BATCH, c, f, BACKFILL_BATCH_DEFAULT, 1, 10_000),
                NodeProperties.getLong(QUERY_TIMEOUT, c, f, QUERY_TIMEOUT_DEFAULT, 100, 600_000),
                Path.of(NodeProperties.get(NodeProperties.DATA_DIR, c, f, NodeProperties.DATA_DIR_DEFAULT)));
    }

    @Override
    public String toString() {
        return "scheme grace " + schemeGraceMs + " ms, backfill batch " + backfillBatch + ", query timeout "
                + queryTimeoutMs + " ms";
    }
}

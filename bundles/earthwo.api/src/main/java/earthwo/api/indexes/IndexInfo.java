package earthwo.api.indexes;

/**
 * An index as one node sees it: its definition (name, extractor spec, type, the cluster-wide id
 * that a re-created name does not reuse), its state here with the reason when unavailable, the
 * entries this node holds, the backfill's progress (0..1; 1 when ready), and how many records the
 * extractor failed on or gave values the type does not take.
 */
public record IndexInfo(String name, String extractor, IndexType type, int id, IndexState state, String reason,
                        long entries, double progress, long extractFailures, long typeMismatches, long refusedValues) {
}

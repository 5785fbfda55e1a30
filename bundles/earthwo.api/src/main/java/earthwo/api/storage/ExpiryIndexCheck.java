package earthwo.api.storage;

import java.util.List;

/**
 * The outcome of comparing one segment's expiry index with its records ({@link
 * SegmentStore#verifyExpiryIndex}): {@code missing} records with an expiry that have no entry,
 * {@code extra} entries without a record of that key and expiry, with a few examples of each.
 *
 * <p>The comparison reads committed data without a snapshot: run while writes go on, a key changed
 * between its two walks may show up as a difference that is none (check such keys again); without
 * concurrent writes the outcome is exact.
 */
public record ExpiryIndexCheck(int segment, long entries, long recordsWithExpiry, long missing, long extra,
        List<ExpiryEntry> missingExamples, List<ExpiryEntry> extraExamples) {

    public ExpiryIndexCheck {
        missingExamples = List.copyOf(missingExamples);
        extraExamples = List.copyOf(extraExamples);
    }

    /** True if the index holds exactly one entry per record with an expiry. */
    public boolean consistent() {
        return missing == 0 && extra == 0;
    }
}

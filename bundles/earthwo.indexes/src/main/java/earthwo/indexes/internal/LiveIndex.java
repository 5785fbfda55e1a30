package earthwo.indexes.internal;

import earthwo.api.indexes.IndexExtractor;
import earthwo.api.indexes.IndexState;

import java.util.concurrent.atomic.LongAdder;

/**
 * One defined index on this node: its definition, its compiled extraction (null while the scheme
 * is missing), where it stands here, and its figures. State changes come from the catalog's one
 * thread; writers and queries read the volatile fields.
 */
final class LiveIndex {

    /** Where the index stands on this node, in more detail than {@link IndexState}. */
    enum Phase {
        /** Its scheme is missing, for less than the grace: writes are kept for it, it may still come. */
        WAITING,
        /** Its scheme is missing for good (for now): writes go unindexed; it is built anew later. */
        UNAVAILABLE,
        /** Its old entries are being removed before it is built anew (not maintained meanwhile). */
        CLEARING,
        /** Maintained by writes and being filled from the records stored before. */
        BUILDING,
        READY
    }

    final IndexDefinition definition;
    final byte[] prefix;
    final LongAdder extractFailures = new LongAdder();
    final LongAdder typeMismatches = new LongAdder();
    final LongAdder refusedValues = new LongAdder();
    volatile IndexExtractor.Extraction extraction;
    volatile Phase phase;
    volatile String reason = "";
    /** When the scheme went missing ({@link System#nanoTime()}), for the grace. */
    volatile long missingSince;
    /** Share of the segments backfilled, 0..1. */
    volatile double progress;

    LiveIndex(IndexDefinition definition) {
        this.definition = definition;
        this.prefix = definition.prefix();
    }

    /** Whether writes keep its entries. */
    boolean isMaintained() {
        Phase p = phase;
        return extraction != null && (p == Phase.BUILDING || p == Phase.READY);
    }

    IndexState state() {
        return switch (phase) {
            case READY -> IndexState.READY;
            case BUILDING, CLEARING -> IndexState.BUILDING;
            case WAITING, UNAVAILABLE -> IndexState.UNAVAILABLE;
        };
    }
}

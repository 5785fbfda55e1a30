package earthwo.api.storage;

/**
 * What one {@link SegmentStore#reindex} step did: the records it read and indexed, and the key of
 * the last one (where the next step starts after), or null when the segment has no more.
 */
public record ReindexStep(int records, byte[] lastKey) {

    /** Whether the segment was read to its end. */
    public boolean done() {
        return lastKey == null;
    }
}

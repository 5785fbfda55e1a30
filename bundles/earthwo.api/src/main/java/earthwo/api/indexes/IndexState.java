package earthwo.api.indexes;

/** Where an index stands on one node. */
public enum IndexState {
    /** Filling with the records stored before it was defined (or after it was unavailable); new writes are indexed already. Not queried on this node. */
    BUILDING,
    /** Complete on this node: queries may read it. */
    READY,
    /** Its extractor's scheme has no {@link IndexExtractor} on this node (the reason says more); writes succeed unindexed, and it is built again when the scheme comes. */
    UNAVAILABLE;

    /** As shown to users: lower case. */
    public String shown() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

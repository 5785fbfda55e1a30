package earthwo.api;

/** How many replicas must have a write before it is acknowledged (DESIGN §5). */
public enum WriteConcern {
    /** The cluster's configured default (quorum unless changed). */
    DEFAULT,
    ONE,
    QUORUM,
    ALL;

    /** Acks needed out of {@code replicas} live-or-not replicas of a segment. */
    public int acksNeeded(int replicas, WriteConcern clusterDefault) {
        WriteConcern effective = this == DEFAULT ? clusterDefault : this;
        switch (effective) {
            case ONE:
                return 1;
            case ALL:
                return replicas;
            case QUORUM:
            case DEFAULT:
            default:
                return replicas / 2 + 1;
        }
    }
}

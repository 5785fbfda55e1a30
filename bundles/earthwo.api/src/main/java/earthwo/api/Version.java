package earthwo.api;

/**
 * The version of a stored record: a hybrid logical clock timestamp plus the id of the node that
 * wrote it. Versions order all writes to a key; the highest one wins (last writer wins).
 *
 * <p>The timestamp packs 48 bits of wall-clock milliseconds and a 16-bit counter, so versions
 * stamped within the same millisecond stay ordered, and a node whose clock runs behind still
 * stamps versions above every version it has seen.
 */
public final class Version implements Comparable<Version> {

    /** Smaller than every stamped version; the version of "nothing written yet". */
    public static final Version ZERO = new Version(0L, 0);

    private static final int COUNTER_BITS = 16;
    private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;

    private final long timestamp;
    private final int nodeId;

    public Version(long timestamp, int nodeId) {
        this.timestamp = timestamp;
        this.nodeId = nodeId;
    }

    public static Version of(long wallMillis, int counter, int nodeId) {
        if (counter < 0 || counter > COUNTER_MASK) {
            throw new IllegalArgumentException("counter out of range: " + counter);
        }
        return new Version((wallMillis << COUNTER_BITS) | counter, nodeId);
    }

    /** The packed 64-bit HLC timestamp (48-bit ms, 16-bit counter). */
    public long timestamp() {
        return timestamp;
    }

    public long wallMillis() {
        return timestamp >>> COUNTER_BITS;
    }

    public int counter() {
        return (int) (timestamp & COUNTER_MASK);
    }

    public int nodeId() {
        return nodeId;
    }

    public boolean isNewerThan(Version other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Version o) {
        int c = Long.compareUnsigned(timestamp, o.timestamp);
        return c != 0 ? c : Integer.compare(nodeId, o.nodeId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && v.timestamp == timestamp && v.nodeId == nodeId;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timestamp) * 31 + nodeId;
    }

    @Override
    public String toString() {
        return wallMillis() + "." + counter() + "@" + nodeId;
    }
}

package earthwo.ttl.internal;

import java.util.Arrays;

/** A key of one segment, compared by content: the element of the reaper's key sets. */
final class SegmentKey {

    private final int segment;
    private final byte[] key;

    SegmentKey(int segment, byte[] key) {
        this.segment = segment;
        this.key = key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentKey k && k.segment == segment && Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
        return segment * 31 + Arrays.hashCode(key);
    }
}

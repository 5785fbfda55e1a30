package earthwo.api.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stored secondary index entry of a segment ({@link SegmentStore#indexEntries}): the entry's
 * bytes (index id and encoded value, see {@link IndexEntries}), the key of the record it belongs
 * to, and that record's expiry (epoch ms, 0 = never) as of its last write, so a reader can leave
 * out entries of expired records without reading them.
 */
public final class IndexHit {

    private final byte[] entry;
    private final byte[] key;
    private final long expiresAt;

    public IndexHit(byte[] entry, byte[] key, long expiresAt) {
        this.entry = Objects.requireNonNull(entry, "entry");
        this.key = Objects.requireNonNull(key, "key");
        this.expiresAt = expiresAt;
    }

    /** Index id and encoded value. Callers must not modify the returned array. */
    public byte[] entry() {
        return entry;
    }

    /** The record's key. Callers must not modify the returned array. */
    public byte[] key() {
        return key;
    }

    public long expiresAt() {
        return expiresAt;
    }

    /** Whether the record had expired at {@code nowMillis}. */
    public boolean isExpiredAt(long nowMillis) {
        return expiresAt != 0 && expiresAt <= nowMillis;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexHit h && h.expiresAt == expiresAt && Arrays.equals(h.entry, entry)
                && Arrays.equals(h.key, key);
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(entry) * 31 + Arrays.hashCode(key)) * 31 + Long.hashCode(expiresAt);
    }

    @Override
    public String toString() {
        return "IndexHit[" + earthwo.api.Keys.printable(entry) + ", " + earthwo.api.Keys.printable(key) + ", "
                + expiresAt + "]";
    }
}

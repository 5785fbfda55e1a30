package earthwo.api.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * An entry of a segment's expiry index: a stored record's absolute expiry (epoch milliseconds)
 * and its key. The index holds one entry for every stored record that has an expiry, expired
 * ones included, in (expiresAt, key) order.
 */
public final class ExpiryEntry {

    private final long expiresAt;
    private final byte[] key;

    public ExpiryEntry(long expiresAt, byte[] key) {
        this.expiresAt = expiresAt;
        this.key = Objects.requireNonNull(key, "key");
    }

    public long expiresAt() {
        return expiresAt;
    }

    /** The key. Callers must not modify the returned array. */
    public byte[] key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpiryEntry e && e.expiresAt == expiresAt && Arrays.equals(e.key, key);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(expiresAt) * 31 + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "ExpiryEntry[" + expiresAt + ", " + earthwo.api.Keys.printable(key) + "]";
    }
}

package earthwo.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stored key: its value, the {@link Version} that wrote it, its absolute expiry time and
 * whether it is a tombstone (a delete that must still reach every replica).
 */
public final class Record {

    /** {@link #expiresAt()} of a key that never expires. */
    public static final long NEVER = 0L;

    private static final byte[] EMPTY = new byte[0];

    private final byte[] key;
    private final byte[] value;
    private final Version version;
    private final long expiresAt;
    private final boolean tombstone;

    private Record(byte[] key, byte[] value, Version version, long expiresAt, boolean tombstone) {
        this.key = Objects.requireNonNull(key, "key");
        this.value = Objects.requireNonNull(value, "value");
        this.version = Objects.requireNonNull(version, "version");
        this.expiresAt = expiresAt;
        this.tombstone = tombstone;
    }

    public static Record value(byte[] key, byte[] value, Version version, long expiresAt) {
        return new Record(key, value, version, expiresAt, false);
    }

    public static Record tombstone(byte[] key, Version version) {
        return new Record(key, EMPTY, version, NEVER, true);
    }

    /** The key. Callers must not modify the returned array. */
    public byte[] key() {
        return key;
    }

    /** The value; empty for a tombstone. Callers must not modify the returned array. */
    public byte[] value() {
        return value;
    }

    public Version version() {
        return version;
    }

    /** Absolute expiry in epoch milliseconds, or {@link #NEVER}. */
    public long expiresAt() {
        return expiresAt;
    }

    public boolean isTombstone() {
        return tombstone;
    }

    public boolean isExpiredAt(long nowMillis) {
        return expiresAt != NEVER && expiresAt <= nowMillis;
    }

    /** True if a reader at {@code nowMillis} sees this record: not deleted and not expired. */
    public boolean isLiveAt(long nowMillis) {
        return !tombstone && !isExpiredAt(nowMillis);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r
                && r.tombstone == tombstone
                && r.expiresAt == expiresAt
                && r.version.equals(version)
                && Arrays.equals(r.key, key)
                && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key) * 31 + version.hashCode();
    }

    @Override
    public String toString() {
        return "Record[key=" + Keys.printable(key) + ", " + (tombstone ? "tombstone" : value.length + " bytes")
                + ", version=" + version + (expiresAt == NEVER ? "" : ", expiresAt=" + expiresAt) + "]";
    }
}

package earthwo.api.hooks;

import earthwo.api.Keys;
import earthwo.api.Version;

import java.util.Objects;

/**
 * One change of a key, as every replica's outbox records it: its type, the key, the
 * {@link Version} the change was written with, the key's segment, its expiry after the change and,
 * for CREATED and UPDATED, the new value (cut to the node's configured size, see
 * {@link #valueTruncated()}). The {@link #id()} is the same on every replica, so a hook can drop
 * the events a failover delivers twice.
 */
public final class KeyEvent {

    private final EventType type;
    private final byte[] key;
    private final Version version;
    private final int segment;
    private final long expiresAt;
    private final byte[] value;
    private final boolean valueTruncated;
    private final long lost;

    private KeyEvent(EventType type, byte[] key, Version version, int segment, long expiresAt, byte[] value,
                     boolean valueTruncated, long lost) {
        this.type = Objects.requireNonNull(type, "type");
        this.key = Objects.requireNonNull(key, "key");
        this.version = Objects.requireNonNull(version, "version");
        this.segment = segment;
        this.expiresAt = expiresAt;
        this.value = value;
        this.valueTruncated = valueTruncated;
        this.lost = lost;
    }

    /** A change: CREATED, UPDATED (value may be cut), DELETED or EXPIRED (value null). */
    public static KeyEvent change(EventType type, byte[] key, Version version, int segment, long expiresAt,
                                  byte[] value, boolean valueTruncated) {
        if (type == EventType.GAP) {
            throw new IllegalArgumentException("a GAP is made with KeyEvent.gap");
        }
        boolean hasValue = type == EventType.CREATED || type == EventType.UPDATED;
        return new KeyEvent(type, key, version, segment, expiresAt, hasValue ? value : null, hasValue && valueTruncated, 0);
    }

    /**
     * A GAP: at least {@code lost} events of {@code segment} with versions up to {@code through}
     * were dropped before this hook got them. Its key is empty.
     */
    public static KeyEvent gap(int segment, Version through, long lost) {
        return new KeyEvent(EventType.GAP, new byte[0], through, segment, 0, null, false, lost);
    }

    /**
     * The same on every replica: the segment, the version's timestamp and node, and the key's
     * bytes in hex ({@code segment/timestamp.node/keyhex}).
     */
    public String id() {
        StringBuilder b = new StringBuilder(32 + key.length * 2);
        b.append(segment).append('/').append(Long.toHexString(version.timestamp())).append('.').append(version.nodeId()).append('/');
        for (byte x : key) {
            b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return b.toString();
    }

    public EventType type() {
        return type;
    }

    /** The key; empty for a GAP. Callers must not modify the returned array. */
    public byte[] key() {
        return key;
    }

    /** The version the change was written with (a GAP: the newest version it covers). */
    public Version version() {
        return version;
    }

    public int segment() {
        return segment;
    }

    /** The key's absolute expiry after the change (epoch ms), or {@link earthwo.api.Record#NEVER}. */
    public long expiresAt() {
        return expiresAt;
    }

    /** The new value (CREATED, UPDATED), else null. Callers must not modify the returned array. */
    public byte[] value() {
        return value;
    }

    /** True when {@link #value()} holds only the first bytes of a larger value. */
    public boolean valueTruncated() {
        return valueTruncated;
    }

    /** GAP: how many events were lost (at least); 0 for a change. */
    public long lost() {
        return lost;
    }

    @Override
    public String toString() {
        return type == EventType.GAP ? "GAP[segment " + segment + " through " + version + ", lost " + lost + "]"
                : type + "[" + Keys.printable(key) + " " + version + " segment " + segment + "]";
    }
}

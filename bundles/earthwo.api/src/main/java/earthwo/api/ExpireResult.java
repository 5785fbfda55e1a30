package earthwo.api;

/** What an expiry change (expire, expireat, persist) did. */
public enum ExpireResult {
    /** No live key: nothing changed (EXPIRE on an absent key, as Redis's answers 0). */
    ABSENT(0),
    /** The key now expires at the given time. */
    SET(1),
    /** The time was not in the future: the key was deleted, as Redis's EXPIRE does. */
    DELETED(2),
    /** PERSIST: the key had an expiry and now has none. */
    PERSISTED(3),
    /** PERSIST: the key had no expiry; nothing changed. */
    NO_EXPIRY(4);

    private final int wireCode;

    ExpireResult(int wireCode) {
        this.wireCode = wireCode;
    }

    public int wireCode() {
        return wireCode;
    }

    /** Whether the key changed (SET, DELETED or PERSISTED). */
    public boolean changed() {
        return this == SET || this == DELETED || this == PERSISTED;
    }

    /** The result for a wire byte, or null if unknown. */
    public static ExpireResult fromWire(int code) {
        for (ExpireResult r : values()) {
            if (r.wireCode == code) {
                return r;
            }
        }
        return null;
    }
}

package earthwo.api;

/**
 * The rules every expiry obeys, wherever it enters: an expiry is an absolute wall-clock time in
 * epoch milliseconds ({@link Record#NEVER} for none), at most the last millisecond of year 9999;
 * a relative time to live is a positive number of milliseconds added to the receiving node's
 * clock. Anything else is {@link ErrorCode#BAD_REQUEST}.
 */
public final class Expiry {

    /** 9999-12-31T23:59:59.999Z, the latest expiry a key may have. */
    public static final long MAX_EXPIRES_AT = 253_402_300_799_999L;

    /** What {@code ttl} answers for a live key without an expiry (as Redis's TTL: -1). */
    public static final long TTL_NONE = -1;
    /** What {@code ttl} answers for an absent (or expired, or deleted) key (as Redis's TTL: -2). */
    public static final long TTL_ABSENT = -2;

    private Expiry() {
    }

    /**
     * Checks an absolute expiry ({@link Record#NEVER} allowed) and returns it.
     *
     * @throws EarthwoException BAD_REQUEST if it is negative or after {@link #MAX_EXPIRES_AT}
     */
    public static long checkAbsolute(long expiresAt) {
        if (expiresAt < 0 || expiresAt > MAX_EXPIRES_AT) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "expiry " + expiresAt
                    + " is out of range: an epoch time in milliseconds from 0 to " + MAX_EXPIRES_AT + " (year 9999)");
        }
        return expiresAt;
    }

    /**
     * The absolute expiry of a time to live of {@code ttlMillis} from {@code nowMillis}.
     *
     * @param allowZero whether 0 is accepted (EXPIRE KEY 0 deletes the key, as Redis's does; a
     *        put with a time to live of 0 is refused)
     * @throws EarthwoException BAD_REQUEST if it is negative (or 0 when not allowed) or the
     *         expiry would pass {@link #MAX_EXPIRES_AT}
     */
    public static long fromTtl(long nowMillis, long ttlMillis, boolean allowZero) {
        if (ttlMillis < 0 || (ttlMillis == 0 && !allowZero)) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "time to live must be " + (allowZero ? "0 or more" : "positive")
                    + " milliseconds: " + ttlMillis);
        }
        if (ttlMillis > MAX_EXPIRES_AT - nowMillis) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "time to live of " + ttlMillis
                    + " ms ends after year 9999 (the latest expiry is " + MAX_EXPIRES_AT + ")");
        }
        return nowMillis + ttlMillis;
    }

    /** Milliseconds a record has left at {@code nowMillis}: {@link #TTL_NONE}, {@link #TTL_ABSENT} or ≥ 0. */
    public static long remaining(Record liveRecordOrNull, long nowMillis) {
        if (liveRecordOrNull == null || !liveRecordOrNull.isLiveAt(nowMillis)) {
            return TTL_ABSENT;
        }
        if (liveRecordOrNull.expiresAt() == Record.NEVER) {
            return TTL_NONE;
        }
        return liveRecordOrNull.expiresAt() - nowMillis;
    }
}

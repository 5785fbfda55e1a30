package earthwo.api;

/**
 * Options of one write: the write concern and the key's expiry after it: an absolute time
 * ({@link Record#NEVER} = none, which also removes an earlier expiry) or, with
 * {@link #keepingTtl()}, whatever expiry the key has when the write is applied.
 */
public final class WriteOptions {

    public static final WriteOptions DEFAULT = new WriteOptions(WriteConcern.DEFAULT, Record.NEVER, false);

    /** {@link #expiresAt()} of a write that keeps the key's expiry; also its value on the wire (PUT). */
    public static final long KEEP_TTL = -1;

    private final WriteConcern concern;
    private final long expiresAt;
    private final boolean keepTtl;

    private WriteOptions(WriteConcern concern, long expiresAt, boolean keepTtl) {
        this.concern = concern;
        this.expiresAt = expiresAt;
        this.keepTtl = keepTtl;
    }

    /**
     * @param expiresAt absolute expiry in epoch milliseconds, {@link Record#NEVER}, or
     *        {@link #KEEP_TTL}
     * @throws EarthwoException BAD_REQUEST if the expiry is out of range ({@link Expiry#checkAbsolute})
     */
    public static WriteOptions of(WriteConcern concern, long expiresAt) {
        WriteConcern c = concern == null ? WriteConcern.DEFAULT : concern;
        if (expiresAt == KEEP_TTL) {
            return new WriteOptions(c, Record.NEVER, true);
        }
        return new WriteOptions(c, Expiry.checkAbsolute(expiresAt), false);
    }

    public WriteOptions withConcern(WriteConcern c) {
        return keepTtl ? of(c, KEEP_TTL) : of(c, expiresAt);
    }

    public WriteOptions expiringAt(long epochMillis) {
        return of(concern, epochMillis);
    }

    /** These options, keeping the expiry the key has (Redis's SET ... KEEPTTL). */
    public WriteOptions keepingTtl() {
        return of(concern, KEEP_TTL);
    }

    public WriteConcern concern() {
        return concern;
    }

    /** The expiry the write sets ({@link Record#NEVER}: none); meaningless with {@link #keepTtl()}. */
    public long expiresAt() {
        return expiresAt;
    }

    /** Whether the write keeps the key's current expiry instead of setting {@link #expiresAt()}. */
    public boolean keepTtl() {
        return keepTtl;
    }

    /** {@link #expiresAt()}, or {@link #KEEP_TTL}: the expiry field of a PUT on the wire. */
    public long wireExpiresAt() {
        return keepTtl ? KEEP_TTL : expiresAt;
    }
}

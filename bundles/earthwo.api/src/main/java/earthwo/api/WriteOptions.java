package earthwo.api;

/**
 * Options of one write: the write concern and an absolute expiry (0 = never).
 */
public final class WriteOptions {

    public static final WriteOptions DEFAULT = new WriteOptions(WriteConcern.DEFAULT, Record.NEVER);

    private final WriteConcern concern;
    private final long expiresAt;

    private WriteOptions(WriteConcern concern, long expiresAt) {
        this.concern = concern;
        this.expiresAt = expiresAt;
    }

    public static WriteOptions of(WriteConcern concern, long expiresAt) {
        if (expiresAt < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "expiresAt must be >= 0");
        }
        return new WriteOptions(concern == null ? WriteConcern.DEFAULT : concern, expiresAt);
    }

    public WriteOptions withConcern(WriteConcern c) {
        return of(c, expiresAt);
    }

    public WriteOptions expiringAt(long epochMillis) {
        return of(concern, epochMillis);
    }

    public WriteConcern concern() {
        return concern;
    }

    public long expiresAt() {
        return expiresAt;
    }
}

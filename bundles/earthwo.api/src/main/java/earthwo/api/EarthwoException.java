package earthwo.api;

/** A typed failure of an Earthwo operation. */
public class EarthwoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final long mapEpoch;

    public EarthwoException(ErrorCode code, String message) {
        this(code, message, -1L, null);
    }

    public EarthwoException(ErrorCode code, String message, Throwable cause) {
        this(code, message, -1L, cause);
    }

    public EarthwoException(ErrorCode code, String message, long mapEpoch, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
        this.mapEpoch = mapEpoch;
    }

    public static EarthwoException wrongSegment(String message, long mapEpoch) {
        return new EarthwoException(ErrorCode.WRONG_SEGMENT, message, mapEpoch, null);
    }

    public ErrorCode code() {
        return code;
    }

    /** For {@link ErrorCode#WRONG_SEGMENT}: the epoch of the map the node holds; else -1. */
    public long mapEpoch() {
        return mapEpoch;
    }

    public boolean isRetryable() {
        return code.isRetryable();
    }
}

package earthwo.api;

/** A typed failure of an Earthwo operation. */
public class EarthwoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final long mapEpoch;
    private final String detail;

    public EarthwoException(ErrorCode code, String message) {
        this(code, message, -1L, null);
    }

    public EarthwoException(ErrorCode code, String message, Throwable cause) {
        this(code, message, -1L, cause);
    }

    public EarthwoException(ErrorCode code, String message, long mapEpoch, Throwable cause) {
        super(code + ": " + message, cause);
        this.detail = message;
        this.code = code;
        this.mapEpoch = mapEpoch;
    }

    public static EarthwoException wrongSegment(String message, long mapEpoch) {
        return new EarthwoException(ErrorCode.WRONG_SEGMENT, message, mapEpoch, null);
    }

    public ErrorCode code() {
        return code;
    }

    /** The message without the code in front of it (what a typed answer on the wire carries). */
    public String detail() {
        return String.valueOf(detail);
    }

    /** For {@link ErrorCode#WRONG_SEGMENT}: the epoch of the map the node holds; else -1. */
    public long mapEpoch() {
        return mapEpoch;
    }

    public boolean isRetryable() {
        return code.isRetryable();
    }
}

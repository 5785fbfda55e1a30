package earthwo.api.protocol;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

/**
 * A frame that cannot be decoded. Carries the request id when the header was readable, so the
 * server can answer it before closing the connection.
 */
public final class ProtocolException extends EarthwoException {

    private static final long serialVersionUID = 1L;

    /** Request id of the bad frame, or -1 when the header itself was unreadable. */
    private final int requestId;

    public ProtocolException(ErrorCode code, String message, int requestId) {
        super(code, message);
        this.requestId = requestId;
    }

    public int requestId() {
        return requestId;
    }
}

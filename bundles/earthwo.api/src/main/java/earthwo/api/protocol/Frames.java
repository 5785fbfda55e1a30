package earthwo.api.protocol;

/**
 * Frame layout constants. Every frame is {@code int32 length} followed by {@code length} bytes:
 * a type byte (opcode in requests, status in responses), an {@code int32} request id and the
 * payload. Integers are big-endian.
 */
public final class Frames {

    /** Bytes of the length prefix. */
    public static final int LENGTH_BYTES = 4;
    /** Bytes after the length prefix that every frame has: type byte and request id. */
    public static final int HEADER_BYTES = 1 + 4;
    /** Default bound on the bytes after the length prefix. */
    public static final int DEFAULT_MAX_FRAME = earthwo.api.Limits.MAX_FRAME_BYTES;

    /** Response status: success. */
    public static final int STATUS_OK = 0;
    /** Response status: key absent (GET) — not an error. */
    public static final int STATUS_NOT_FOUND = 1;

    /** Write-concern bytes in PUT and DEL. */
    public static final int CONCERN_DEFAULT = 0;
    public static final int CONCERN_ONE = 1;
    public static final int CONCERN_QUORUM = 2;
    public static final int CONCERN_ALL = 3;

    public static final int ROLE_DATA = 0;
    public static final int ROLE_ADMIN = 1;

    private Frames() {
    }
}

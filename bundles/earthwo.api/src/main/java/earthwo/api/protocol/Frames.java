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
    /** Pushed to a subscriber: a message of its subscription (see {@link PushFrames}). */
    public static final int STATUS_MESSAGE = 2;
    /** Pushed to a subscriber: messages it will not receive. */
    public static final int STATUS_GAP = 3;
    /** Pushed to a subscriber: its subscription ended; the last frame with that id. */
    public static final int STATUS_ENDED = 4;

    /** Write-concern bytes in PUT and DEL. */
    public static final int CONCERN_DEFAULT = 0;
    public static final int CONCERN_ONE = 1;
    public static final int CONCERN_QUORUM = 2;
    public static final int CONCERN_ALL = 3;

    /** AUTH role of a data client: the data secret, when the node has one. */
    public static final int ROLE_DATA = 0;
    /** AUTH role of an operator's tool: the admin secret; also grants the data role. */
    public static final int ROLE_ADMIN = 1;
    /**
     * AUTH role of another node of the cluster: the cluster secret. Only it may send PEER frames,
     * which write versions and records unchecked by the data path; it also grants the data role.
     */
    public static final int ROLE_PEER = 2;

    private Frames() {
    }
}

package earthwo.api;

/**
 * The typed errors of Earthwo, shared by the Java API and the wire protocol (the byte is the
 * status byte of a response frame). A missing key is not an error: {@link Kv#get} returns empty.
 */
public enum ErrorCode {
    /** The node does not hold the key's segment under the current map; carries the map epoch. */
    WRONG_SEGMENT(10),
    /** Not enough replicas, the storage is restarting, or the node is shutting down. Retry. */
    UNAVAILABLE(11),
    /** A key, value, frame or scan over its limit. */
    TOO_LARGE(12),
    /** A malformed request: bad frame, unknown opcode, invalid argument. */
    BAD_REQUEST(13),
    /** Missing or wrong shared secret. */
    AUTH(14),
    /** Too many connections or requests in flight; retry later. */
    BUSY(15),
    /** A bug or an unexpected failure on the node; the message says what. */
    INTERNAL(16),
    /**
     * A version further ahead of the node's clock than the cluster's maximum clock offset: sent by
     * a node whose clock jumped ahead, or stored before versions were checked. The message names
     * the key and the offset.
     */
    CLOCK_SKEW(17),
    /**
     * A query across segments could not reach a replica of some segments (all down, or none with
     * the index ready); the message names them. Nothing is answered rather than fewer rows.
     */
    PARTIAL_RESULT(18),
    /**
     * A channel subscriber did not take its messages fast enough: its buffer overflowed and the
     * subscription was closed. Others are not affected; subscribe again, with a resume point to
     * learn what was missed.
     */
    SLOW_CONSUMER(19);

    private final int wireCode;

    ErrorCode(int wireCode) {
        this.wireCode = wireCode;
    }

    public int wireCode() {
        return wireCode;
    }

    /** True when the same request may succeed if sent again (to this or another replica). */
    public boolean isRetryable() {
        return this == UNAVAILABLE || this == WRONG_SEGMENT || this == BUSY;
    }

    public static ErrorCode fromWire(int code) {
        for (ErrorCode c : values()) {
            if (c.wireCode == code) {
                return c;
            }
        }
        return INTERNAL;
    }
}

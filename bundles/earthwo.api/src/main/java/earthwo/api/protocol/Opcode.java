package earthwo.api.protocol;

/** Request types of the binary protocol (see WIRE-PROTOCOL.md). */
public enum Opcode {
    PING(0x01),
    /** Present a secret: role 0 = data client, role 1 = admin. */
    AUTH(0x02),
    GET(0x10),
    PUT(0x11),
    DEL(0x12),
    SCAN(0x13),
    /** Change a key's expiry (expire, expireat, persist). */
    EXPIRE(0x14),
    /** A key's remaining time to live. */
    TTL(0x15),
    /** A query of a secondary index (earthwo.api.indexes): exact match or range, paged by a cursor. */
    QUERY(0x16),
    /** Publish a message on a channel (earthwo.api.channels). */
    PUBLISH(0x17),
    /** Open a subscription; the node then pushes its messages under this request's id. */
    SUBSCRIBE(0x18),
    /** End a subscription opened on this connection. */
    UNSUBSCRIBE(0x19),
    STATUS(0x20),
    MAP(0x21),
    EXEC(0x30),
    /** A node-to-node message; the payload is opaque to the server (see PeerLinks). */
    PEER(0x40);

    private static final Opcode[] BY_CODE = new Opcode[256];

    static {
        for (Opcode o : values()) {
            BY_CODE[o.code] = o;
        }
    }

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The opcode for a wire byte, or null if unknown. */
    public static Opcode fromCode(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }

    /** True for requests that change data (and so carry a write concern). */
    public boolean isWrite() {
        return this == PUT || this == DEL || this == EXPIRE;
    }
}

package earthwo.api.protocol;

import earthwo.api.ErrorCode;
import earthwo.api.Expiry;
import earthwo.api.Limits;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.indexes.IndexQuery;

import java.nio.ByteBuffer;

/**
 * One request frame. Which fields are meaningful depends on the {@link Opcode}; the factories
 * below build each kind. Encoding and decoding follow WIRE-PROTOCOL.md.
 */
public final class Request {

    private static final int MAX_TEXT = 64 * 1024;

    /** EXPIRE mode: the time is a time to live in milliseconds. */
    public static final int EXPIRE_IN = 0;
    /** EXPIRE mode: the time is an absolute expiry in epoch milliseconds. */
    public static final int EXPIRE_AT = 1;
    /** EXPIRE mode: remove the key's expiry (PERSIST). */
    public static final int EXPIRE_PERSIST = 2;

    /**
     * The longest cursor a QUERY may carry, in UTF-8 bytes. The cursor is the indexes service's
     * own text; this leaves room for a position at the longest key a node may be configured for
     * (64 KiB), even written out in hex.
     */
    public static final int MAX_CURSOR_BYTES = 256 * 1024;

    private final Opcode opcode;
    private final int id;
    private final byte[] key;
    private final byte[] value;
    private final long expiresAt;
    private final WriteConcern concern;
    private final int limit;
    private final byte[] startAfter;
    private final int role;
    private final String text;
    /** The structured body of QUERY (an IndexQuery) and SUBSCRIBE (a SubscribeRequest). */
    private final Object detail;

    private Request(Opcode opcode, int id, byte[] key, byte[] value, long expiresAt, WriteConcern concern,
                    int limit, byte[] startAfter, int role, String text) {
        this(opcode, id, key, value, expiresAt, concern, limit, startAfter, role, text, null);
    }

    private Request(Opcode opcode, int id, byte[] key, byte[] value, long expiresAt, WriteConcern concern,
                    int limit, byte[] startAfter, int role, String text, Object detail) {
        this.opcode = opcode;
        this.id = id;
        this.key = key;
        this.value = value;
        this.expiresAt = expiresAt;
        this.concern = concern;
        this.limit = limit;
        this.startAfter = startAfter;
        this.role = role;
        this.text = text;
        this.detail = detail;
    }

    public static Request ping(int id) {
        return simple(Opcode.PING, id);
    }

    public static Request status(int id) {
        return simple(Opcode.STATUS, id);
    }

    public static Request map(int id) {
        return simple(Opcode.MAP, id);
    }

    public static Request auth(int id, int role, String secret) {
        return new Request(Opcode.AUTH, id, null, null, 0, null, 0, null, role, secret);
    }

    public static Request get(int id, byte[] key) {
        return new Request(Opcode.GET, id, key, null, 0, null, 0, null, 0, null);
    }

    public static Request put(int id, byte[] key, byte[] value, long expiresAt, WriteConcern concern) {
        return new Request(Opcode.PUT, id, key, value, expiresAt, concern, 0, null, 0, null);
    }

    public static Request delete(int id, byte[] key, WriteConcern concern) {
        return new Request(Opcode.DEL, id, key, null, 0, concern, 0, null, 0, null);
    }

    /**
     * Change a key's expiry: {@code mode} {@link #EXPIRE_IN} (time = milliseconds from the
     * receiving node's clock), {@link #EXPIRE_AT} (time = epoch milliseconds) or
     * {@link #EXPIRE_PERSIST} (time ignored, 0). Range checks happen where it is served.
     */
    public static Request expire(int id, byte[] key, int mode, long time, WriteConcern concern) {
        return new Request(Opcode.EXPIRE, id, key, null, time, concern, mode, null, 0, null);
    }

    /** Ask a key's remaining time to live. */
    public static Request ttl(int id, byte[] key) {
        return new Request(Opcode.TTL, id, key, null, 0, null, 0, null, 0, null);
    }

    /** Scan keys starting with {@code prefix} (may be empty), after {@code startAfter} (may be null). */
    public static Request scan(int id, byte[] prefix, byte[] startAfter, int limit) {
        return new Request(Opcode.SCAN, id, prefix, null, 0, null, limit, startAfter, 0, null);
    }

    /** A query of a secondary index; {@code query}'s own checks have passed, so it encodes within every bound. */
    public static Request query(int id, IndexQuery query) {
        return new Request(Opcode.QUERY, id, null, null, 0, null, query.limit(), null, 0, null, query);
    }

    /** Publish {@code message} on {@code channel}; the name is checked where it is served. */
    public static Request publish(int id, String channel, byte[] message) {
        return new Request(Opcode.PUBLISH, id, null, message, 0, null, 0, null, 0, channel);
    }

    /** Open a subscription; the node pushes what it delivers under {@code id} (see {@link PushFrames}). */
    public static Request subscribe(int id, SubscribeRequest subscription) {
        return new Request(Opcode.SUBSCRIBE, id, null, null, 0, null, 0, null, 0, null, subscription);
    }

    /** End the subscription opened on this connection by the SUBSCRIBE request with id {@code subscription}. */
    public static Request unsubscribe(int id, int subscription) {
        return new Request(Opcode.UNSUBSCRIBE, id, null, null, 0, null, subscription, null, 0, null);
    }

    public static Request exec(int id, String commandLine) {
        return new Request(Opcode.EXEC, id, null, null, 0, null, 0, null, 0, commandLine);
    }

    /** A node-to-node message with an opaque payload (first byte = message type). */
    public static Request peer(int id, byte[] payload) {
        return new Request(Opcode.PEER, id, null, payload, 0, null, 0, null, 0, null);
    }

    /** The same request under another id (links renumber requests per connection). */
    public Request withId(int newId) {
        return new Request(opcode, newId, key, value, expiresAt, concern, limit, startAfter, role, text, detail);
    }

    private static Request simple(Opcode op, int id) {
        return new Request(op, id, null, null, 0, null, 0, null, 0, null);
    }

    public Opcode opcode() {
        return opcode;
    }

    public int id() {
        return id;
    }

    /** The key (GET, PUT, DEL) or the prefix (SCAN). */
    public byte[] key() {
        return key;
    }

    /** The value (PUT), the message (PUBLISH) or the payload (PEER). */
    public byte[] value() {
        return value;
    }

    /** PUT: the expiry ({@link WriteOptions#KEEP_TTL}: keep the key's); EXPIRE: the time of its mode. */
    public long expiresAt() {
        return expiresAt;
    }

    /** EXPIRE: {@link #EXPIRE_IN}, {@link #EXPIRE_AT} or {@link #EXPIRE_PERSIST}. */
    public int expireMode() {
        return limit;
    }

    public WriteConcern concern() {
        return concern;
    }

    public int limit() {
        return limit;
    }

    public byte[] startAfter() {
        return startAfter;
    }

    public int role() {
        return role;
    }

    /** The secret (AUTH), the command line (EXEC) or the channel (PUBLISH). */
    public String text() {
        return text;
    }

    /** The index query (QUERY), else null. */
    public IndexQuery query() {
        return detail instanceof IndexQuery q ? q : null;
    }

    /** What to subscribe to (SUBSCRIBE), else null. */
    public SubscribeRequest subscription() {
        return detail instanceof SubscribeRequest s ? s : null;
    }

    /** UNSUBSCRIBE: the id of the SUBSCRIBE request whose subscription ends. */
    public int subscriptionId() {
        return limit;
    }

    /** The whole frame, length prefix included. */
    public byte[] encode() {
        WireWriter w = new WireWriter(sizeHint());
        w.u8(opcode.code()).i32(id);
        switch (opcode) {
            case AUTH:
                w.u8(role).string(text);
                break;
            case GET:
                w.bytes(key);
                break;
            case PUT:
                w.u8(concernByte(concern)).i64(expiresAt).bytes(key).bytes(value);
                break;
            case DEL:
                w.u8(concernByte(concern)).bytes(key);
                break;
            case EXPIRE:
                w.u8(concernByte(concern)).u8(limit).i64(expiresAt).bytes(key);
                break;
            case TTL:
                w.bytes(key);
                break;
            case SCAN:
                w.i32(limit).bytes(key);
                if (startAfter == null) {
                    w.u8(0);
                } else {
                    w.u8(1).bytes(startAfter);
                }
                break;
            case QUERY:
                QueryCodec.writeQuery(w, query());
                break;
            case PUBLISH:
                w.string(text).bytes(value);
                break;
            case SUBSCRIBE:
                ChannelCodec.writeSubscribe(w, subscription());
                break;
            case UNSUBSCRIBE:
                w.i32(limit);
                break;
            case EXEC:
                w.string(text);
                break;
            case PEER:
                w.bytes(value);
                break;
            default:
                break;
        }
        return w.finish();
    }

    /** The exact frame size of GET, PUT and DEL (so the frame needs no copy), an upper guess for the rest. */
    private int sizeHint() {
        int frame = Frames.LENGTH_BYTES + Frames.HEADER_BYTES;
        return switch (opcode) {
            case GET -> frame + 4 + key.length;
            case PUT -> frame + 1 + 8 + 4 + key.length + 4 + value.length;
            case DEL -> frame + 1 + 4 + key.length;
            case EXPIRE -> frame + 1 + 1 + 8 + 4 + key.length;
            case TTL -> frame + 4 + key.length;
            case PUBLISH -> frame + 4 + 3 * text.length() + 4 + value.length;
            default -> frame + 16 + len(key) + len(value) + len(startAfter);
        };
    }

    /**
     * Decodes the bytes after a frame's length prefix.
     *
     * @throws ProtocolException BAD_REQUEST for a malformed frame, unknown opcode or a query its
     *                           own rules refuse, TOO_LARGE for a key, value, query value or cursor
     *                           over the limits
     */
    public static Request decode(ByteBuffer body, ProtocolLimits limits) {
        if (body.remaining() < Frames.HEADER_BYTES) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "frame of " + body.remaining() + " bytes is shorter than the " + Frames.HEADER_BYTES + "-byte header", -1);
        }
        int code = body.get() & 0xff;
        int id = body.getInt();
        Opcode op = Opcode.fromCode(code);
        WireReader r = new WireReader(body, id);
        if (op == null) {
            throw r.bad("unknown opcode 0x" + Integer.toHexString(code));
        }
        Request req;
        switch (op) {
            case PING:
            case STATUS:
            case MAP:
                req = simple(op, id);
                break;
            case AUTH: {
                int role = r.u8();
                if (role != Frames.ROLE_DATA && role != Frames.ROLE_ADMIN && role != Frames.ROLE_PEER) {
                    throw r.bad("unknown role " + role);
                }
                req = auth(id, role, r.string(MAX_TEXT, "secret"));
                break;
            }
            case GET:
                req = get(id, key(r, limits));
                break;
            case PUT: {
                WriteConcern c = concern(r);
                long expiresAt = r.i64();
                if (expiresAt != WriteOptions.KEEP_TTL && (expiresAt < 0 || expiresAt > Expiry.MAX_EXPIRES_AT)) {
                    throw r.bad("expiresAt " + expiresAt + " out of range (0.." + Expiry.MAX_EXPIRES_AT + ", or -1 to keep the key's)");
                }
                byte[] k = key(r, limits);
                req = put(id, k, r.bytes(limits.maxValueBytes(), "value"), expiresAt, c);
                break;
            }
            case DEL: {
                WriteConcern c = concern(r);
                req = delete(id, key(r, limits), c);
                break;
            }
            case EXPIRE: {
                WriteConcern c = concern(r);
                int mode = r.u8();
                if (mode > EXPIRE_PERSIST) {
                    throw r.bad("unknown EXPIRE mode " + mode);
                }
                long time = r.i64();
                req = expire(id, key(r, limits), mode, time, c);
                break;
            }
            case TTL:
                req = ttl(id, key(r, limits));
                break;
            case SCAN: {
                int limit = r.i32();
                if (limit <= 0 || limit > Limits.MAX_SCAN_LIMIT) {
                    throw r.bad("scan limit must be 1.." + Limits.MAX_SCAN_LIMIT + ", was " + limit);
                }
                byte[] prefix = r.bytes(limits.maxKeyBytes(), "prefix");
                byte[] after = r.u8() == 0 ? null : r.bytes(limits.maxKeyBytes(), "startAfter");
                req = scan(id, prefix, after, limit);
                break;
            }
            case QUERY:
                req = query(id, QueryCodec.readQuery(r));
                break;
            case PUBLISH: {
                String channel = r.string(ChannelCodec.MAX_NAME_BYTES, "channel");
                req = publish(id, channel, r.bytes(limits.maxValueBytes(), "message"));
                break;
            }
            case SUBSCRIBE:
                req = subscribe(id, ChannelCodec.readSubscribe(r));
                break;
            case UNSUBSCRIBE:
                req = unsubscribe(id, r.i32());
                break;
            case EXEC:
                req = exec(id, r.string(MAX_TEXT, "command"));
                break;
            case PEER: {
                byte[] payload = r.bytes(limits.maxFrameBytes(), "peer payload");
                if (payload.length == 0) {
                    throw r.bad("empty peer payload");
                }
                req = peer(id, payload);
                break;
            }
            default:
                throw r.bad("unhandled opcode " + op);
        }
        r.end();
        return req;
    }

    private static byte[] key(WireReader r, ProtocolLimits limits) {
        byte[] k = r.bytes(limits.maxKeyBytes(), "key");
        if (k.length == 0) {
            throw r.bad("key must not be empty");
        }
        return k;
    }

    private static WriteConcern concern(WireReader r) {
        int b = r.u8();
        switch (b) {
            case Frames.CONCERN_DEFAULT:
                return WriteConcern.DEFAULT;
            case Frames.CONCERN_ONE:
                return WriteConcern.ONE;
            case Frames.CONCERN_QUORUM:
                return WriteConcern.QUORUM;
            case Frames.CONCERN_ALL:
                return WriteConcern.ALL;
            default:
                throw r.bad("unknown write concern " + b);
        }
    }

    private static int concernByte(WriteConcern c) {
        if (c == null) {
            return Frames.CONCERN_DEFAULT;
        }
        switch (c) {
            case ONE:
                return Frames.CONCERN_ONE;
            case QUORUM:
                return Frames.CONCERN_QUORUM;
            case ALL:
                return Frames.CONCERN_ALL;
            default:
                return Frames.CONCERN_DEFAULT;
        }
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    @Override
    public String toString() {
        return opcode + "#" + id;
    }
}

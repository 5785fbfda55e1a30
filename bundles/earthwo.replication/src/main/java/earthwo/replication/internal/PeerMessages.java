package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.hooks.EventType;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The replication peer messages (types 1–15 of the {@code PEER} payload, see WIRE-PROTOCOL.md
 * "Peer messages"). All integers are big-endian; {@code bytes} is an i32 length then the bytes.
 *
 * <pre>
 * APPLY   (1) request: u8 1, i32 segment, i64 mapEpoch, u8 flags (bit 0 tombstone, bits 1–3 the
 *                      event type code of the hooks' outbox, 0 = let the replica decide),
 *                      i64 version.timestamp, i32 version.nodeId, i64 expiresAt, bytes key, bytes value
 *             answer:  u8 outcome (1 applied, 0 stale: the replica already had this or a newer version)
 * FORWARD (2) request: u8 2, u8 op (0 PUT, 1 DEL, 2 EXPIRE), u8 concern (0 DEFAULT, 1 ONE, 2 QUORUM,
 *                      3 ALL), u8 hops, i64 expiresAt (PUT: -1 keeps the key's expiry; EXPIRE: the
 *                      new one, 0 removes it), bytes key, [bytes value — PUT only]
 *             answer:  i64 version.timestamp, i32 version.nodeId, u8 outcome
 *                      (PUT: the version written; DEL: the tombstone's version, or 0/0 when nothing
 *                      was deleted, and 1 if a live value existed; EXPIRE: the version written or
 *                      0/0, and the ExpireResult code)
 * </pre>
 *
 * A malformed payload is BAD_REQUEST.
 */
final class PeerMessages {

    static final int APPLY = 1;
    static final int FORWARD = 2;
    /** A replica that misses a key asks the others for their copy (read repair on miss). */
    static final int READ = 3;
    /** The highest message type replication owns; anti-entropy starts at 16. */
    static final int LAST_TYPE = 15;

    private static final int FLAG_TOMBSTONE = 0x01;
    /** Bits 1–3 of APPLY's flags: the event type's code (0: none given, the replica decides). */
    private static final int EVENT_SHIFT = 1;
    private static final int EVENT_MASK = 0x07 << EVENT_SHIFT;
    private static final int MAX_KEY = 64 * 1024;

    private PeerMessages() {
    }

    /** A record sent to a replica, with the type of its event (null: the replica decides). */
    record Apply(int segment, long mapEpoch, Record record, EventType event) {
    }

    /**
     * A client write forwarded by a node that does not hold the key's segment: a PUT (its
     * expiresAt may be {@link WriteOptions#KEEP_TTL}), a DEL, or an EXPIRE (expiresAt absolute,
     * {@link Record#NEVER} to remove the expiry).
     */
    record Forward(int op, WriteConcern concern, int hops, long expiresAt, byte[] key, byte[] value) {

        static final int PUT = 0;
        static final int DEL = 1;
        static final int EXPIRE = 2;

        static Forward put(byte[] key, byte[] value, WriteConcern concern, long expiresAt, int hops) {
            return new Forward(PUT, concern, hops, expiresAt, key, value);
        }

        static Forward delete(byte[] key, WriteConcern concern, int hops) {
            return new Forward(DEL, concern, hops, Record.NEVER, key, new byte[0]);
        }

        static Forward expire(byte[] key, long expiresAt, WriteConcern concern, int hops) {
            return new Forward(EXPIRE, concern, hops, expiresAt, key, new byte[0]);
        }

        boolean delete() {
            return op == DEL;
        }

        boolean hasValue() {
            return op == PUT;
        }

        Forward nextHop() {
            return new Forward(op, concern, hops + 1, expiresAt, key, value);
        }
    }

    /**
     * The outcome of a write: its version (ZERO when nothing was written) and a code: for a DEL 1
     * if a live value existed, else 0; for an EXPIRE the {@link ExpireResult}'s wire code.
     */
    record WriteResult(Version version, int outcome) {

        WriteResult(Version version, boolean existed) {
            this(version, existed ? 1 : 0);
        }

        boolean existed() {
            return outcome != 0;
        }

        ExpireResult expireResult() {
            ExpireResult r = ExpireResult.fromWire(outcome);
            if (r == null) {
                throw bad("unknown EXPIRE outcome " + outcome);
            }
            return r;
        }
    }

    static byte[] encodeApply(int segment, long mapEpoch, Record r) {
        return encodeApply(segment, mapEpoch, r, null);
    }

    static byte[] encodeApply(int segment, long mapEpoch, Record r, EventType event) {
        byte[] key = r.key();
        byte[] value = r.value();
        int flags = (r.isTombstone() ? FLAG_TOMBSTONE : 0) | (event == null ? 0 : event.code() << EVENT_SHIFT);
        return ByteBuffer.allocate(1 + 4 + 8 + 1 + 8 + 4 + 8 + 4 + key.length + 4 + value.length)
                .put((byte) APPLY).putInt(segment).putLong(mapEpoch)
                .put((byte) flags)
                .putLong(r.version().timestamp()).putInt(r.version().nodeId()).putLong(r.expiresAt())
                .putInt(key.length).put(key).putInt(value.length).put(value).array();
    }

    static Apply decodeApply(byte[] payload) {
        ByteBuffer b = open(payload, APPLY);
        try {
            int segment = b.getInt();
            long epoch = b.getLong();
            int flags = b.get() & 0xff;
            if ((flags & ~(FLAG_TOMBSTONE | EVENT_MASK)) != 0) {
                throw bad("APPLY with unknown flags 0x" + Integer.toHexString(flags));
            }
            int eventCode = (flags & EVENT_MASK) >> EVENT_SHIFT;
            EventType event = eventCode == 0 ? null : EventType.fromCode(eventCode);
            if (eventCode != 0 && (event == null || event == EventType.GAP)) {
                throw bad("APPLY with unknown event type " + eventCode);
            }
            Version v = new Version(b.getLong(), b.getInt());
            long expiresAt = b.getLong();
            byte[] key = bytes(b, MAX_KEY, "key");
            byte[] value = bytes(b, Integer.MAX_VALUE, "value");
            end(b);
            if (key.length == 0) {
                throw bad("APPLY with an empty key");
            }
            if (expiresAt < 0) {
                throw bad("APPLY with negative expiresAt");
            }
            Record r;
            if ((flags & FLAG_TOMBSTONE) != 0) {
                if (value.length != 0) {
                    throw bad("APPLY of a tombstone with a value");
                }
                r = Record.tombstone(key, v);
            } else {
                r = Record.value(key, value, v, expiresAt);
            }
            return new Apply(segment, epoch, r, event);
        } catch (BufferUnderflowException e) {
            throw bad("truncated APPLY");
        }
    }

    static byte[] encodeRead(int segment, byte[] key) {
        return ByteBuffer.allocate(1 + 4 + 4 + key.length).put((byte) READ).putInt(segment)
                .putInt(key.length).put(key).array();
    }

    /** A READ request: the segment and the key. */
    record Read(int segment, byte[] key) {
    }

    static Read decodeRead(byte[] payload) {
        ByteBuffer b = open(payload, READ);
        try {
            int segment = b.getInt();
            byte[] key = bytes(b, MAX_KEY, "key");
            end(b);
            if (key.length == 0) {
                throw bad("READ with an empty key");
            }
            return new Read(segment, key);
        } catch (BufferUnderflowException e) {
            throw bad("truncated READ");
        }
    }

    /** Answer to READ: one byte 0 when the replica has nothing, else the record in APPLY layout. */
    static byte[] encodeReadAnswer(int segment, java.util.Optional<Record> stored) {
        return stored.isEmpty() ? new byte[] {0} : encodeApply(segment, 0L, stored.get());
    }

    static java.util.Optional<Record> decodeReadAnswer(byte[] answer) {
        if (answer != null && answer.length == 1 && answer[0] == 0) {
            return java.util.Optional.empty();
        }
        if (answer == null || answer.length == 0 || answer[0] != APPLY) {
            throw bad("malformed READ answer");
        }
        return java.util.Optional.of(decodeApply(answer).record());
    }

    static byte[] encodeApplied(boolean applied) {
        return new byte[] {(byte) (applied ? 1 : 0)};
    }

    static boolean decodeApplied(byte[] answer) {
        if (answer == null || answer.length != 1 || (answer[0] & 0xfe) != 0) {
            throw bad("malformed APPLY answer");
        }
        return answer[0] == 1;
    }

    static byte[] encodeForward(Forward f) {
        int size = 1 + 1 + 1 + 1 + 8 + 4 + f.key().length + (f.hasValue() ? 4 + f.value().length : 0);
        ByteBuffer b = ByteBuffer.allocate(size)
                .put((byte) FORWARD).put((byte) f.op()).put((byte) f.concern().ordinal())
                .put((byte) Math.min(255, f.hops())).putLong(f.expiresAt())
                .putInt(f.key().length).put(f.key());
        if (f.hasValue()) {
            b.putInt(f.value().length).put(f.value());
        }
        return b.array();
    }

    static Forward decodeForward(byte[] payload) {
        ByteBuffer b = open(payload, FORWARD);
        try {
            int op = b.get() & 0xff;
            if (op > Forward.EXPIRE) {
                throw bad("FORWARD with unknown op " + op);
            }
            int c = b.get() & 0xff;
            if (c >= WriteConcern.values().length) {
                throw bad("FORWARD with unknown concern " + c);
            }
            int hops = b.get() & 0xff;
            long expiresAt = b.getLong();
            if ((expiresAt < 0 && !(op == Forward.PUT && expiresAt == WriteOptions.KEEP_TTL)) || expiresAt > Expiry.MAX_EXPIRES_AT) {
                throw bad("FORWARD with expiresAt " + expiresAt + " out of range");
            }
            byte[] key = bytes(b, MAX_KEY, "key");
            byte[] value = op == Forward.PUT ? bytes(b, Integer.MAX_VALUE, "value") : new byte[0];
            end(b);
            return new Forward(op, WriteConcern.values()[c], hops, expiresAt, key, value);
        } catch (BufferUnderflowException e) {
            throw bad("truncated FORWARD");
        }
    }

    static byte[] encodeWriteResult(WriteResult r) {
        return ByteBuffer.allocate(13).putLong(r.version().timestamp()).putInt(r.version().nodeId())
                .put((byte) r.outcome()).array();
    }

    static WriteResult decodeWriteResult(byte[] answer) {
        if (answer == null || answer.length != 13) {
            throw bad("malformed FORWARD answer");
        }
        ByteBuffer b = ByteBuffer.wrap(answer);
        return new WriteResult(new Version(b.getLong(), b.getInt()), b.get() & 0xff);
    }

    private static ByteBuffer open(byte[] payload, int type) {
        if (payload == null || payload.length == 0 || (payload[0] & 0xff) != type) {
            throw bad("not a peer message of type " + type);
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        b.get();
        return b;
    }

    private static byte[] bytes(ByteBuffer b, int max, String field) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw bad("bad length " + len + " of " + field);
        }
        if (len > max) {
            throw new EarthwoException(ErrorCode.TOO_LARGE, field + " of " + len + " bytes is too large");
        }
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }

    private static void end(ByteBuffer b) {
        if (b.hasRemaining()) {
            throw bad(b.remaining() + " unexpected trailing bytes");
        }
    }

    private static EarthwoException bad(String message) {
        return new EarthwoException(ErrorCode.BAD_REQUEST, message);
    }
}

package earthwo.storage.internal;

import earthwo.api.Record;
import earthwo.api.Version;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The on-disk form of a record. The JE key is the user key itself (JE orders keys by unsigned
 * bytes, the order of {@link earthwo.api.Keys#compare}); the JE data is:
 *
 * <pre>
 * offset size
 *   0     1   format (1)
 *   1     1   flags (bit 0: tombstone; other bits must be 0)
 *   2     8   version timestamp (big-endian)
 *  10     4   version node id
 *  14     8   expiresAt (epoch ms, 0 = never)
 *  22     n   value bytes (empty for a tombstone)
 * </pre>
 *
 * Data that does not follow this layout is rejected with {@link CorruptRecordException}.
 */
final class RecordCodec {

    static final byte FORMAT_1 = 1;
    static final int HEADER_BYTES = 1 + 1 + 8 + 4 + 8;
    private static final int TIMESTAMP_AT = 2;
    private static final int NODE_AT = 10;
    private static final int EXPIRES_AT = 14;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private static final int FLAG_TOMBSTONE = 0x01;
    private static final int KNOWN_FLAGS = FLAG_TOMBSTONE;

    private RecordCodec() {
    }

    /** The JE data of a record (everything but the key). */
    static byte[] encode(Record record) {
        byte[] value = record.value();
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + value.length);
        b.put(FORMAT_1);
        b.put((byte) (record.isTombstone() ? FLAG_TOMBSTONE : 0));
        b.putLong(record.version().timestamp());
        b.putInt(record.version().nodeId());
        b.putLong(record.expiresAt());
        b.put(value);
        return b.array();
    }

    /** The record stored under {@code key} with JE data {@code data}. */
    static Record decode(byte[] key, byte[] data) {
        ByteBuffer b = header(key, data);
        int flags = b.get(1) & 0xff;
        Version version = new Version(b.getLong(TIMESTAMP_AT), b.getInt(NODE_AT));
        if ((flags & FLAG_TOMBSTONE) != 0) {
            if (data.length != HEADER_BYTES) {
                throw new CorruptRecordException(key, "tombstone carries " + (data.length - HEADER_BYTES) + " value bytes");
            }
            return Record.tombstone(key, version);
        }
        long expiresAt = b.getLong(EXPIRES_AT);
        return Record.value(key, Arrays.copyOfRange(data, HEADER_BYTES, data.length), version, expiresAt);
    }

    /** Only the version of a stored record, without copying its value. */
    static Version decodeVersion(byte[] key, byte[] data) {
        ByteBuffer b = header(key, data);
        return new Version(b.getLong(TIMESTAMP_AT), b.getInt(NODE_AT));
    }

    /**
     * Only the expiry of a stored record ({@link Record#NEVER} for a tombstone), from its header:
     * {@code data} may be just the first {@link #HEADER_BYTES} bytes (a partial JE read).
     */
    static long decodeExpiresAt(byte[] key, byte[] data) {
        ByteBuffer b = header(key, data);
        return (b.get(1) & FLAG_TOMBSTONE) != 0 ? Record.NEVER : b.getLong(EXPIRES_AT);
    }

    /** Whether a stored record is a tombstone, from its header. */
    static boolean isTombstone(byte[] key, byte[] data) {
        return (header(key, data).get(1) & FLAG_TOMBSTONE) != 0;
    }

    /**
     * Compares the versions of two records in their stored form, {@code a} starting at
     * {@code aFrom} and {@code b} at 0, as {@link Version#compareTo} does, without decoding them.
     * Both must be whole records (checked where they were read or encoded).
     */
    static int compareVersions(byte[] a, int aFrom, byte[] b) {
        int c = Long.compareUnsigned((long) LONG.get(a, aFrom + TIMESTAMP_AT), (long) LONG.get(b, TIMESTAMP_AT));
        return c != 0 ? c : Integer.compare((int) INT.get(a, aFrom + NODE_AT), (int) INT.get(b, NODE_AT));
    }

    private static ByteBuffer header(byte[] key, byte[] data) {
        if (data == null || data.length < HEADER_BYTES) {
            throw new CorruptRecordException(key, "data of " + (data == null ? 0 : data.length)
                    + " bytes is shorter than the " + HEADER_BYTES + "-byte header");
        }
        if (data[0] != FORMAT_1) {
            throw new CorruptRecordException(key, "unknown format byte " + (data[0] & 0xff) + " (expected " + FORMAT_1 + ")");
        }
        int flags = data[1] & 0xff;
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new CorruptRecordException(key, "unknown flags 0x" + Integer.toHexString(flags));
        }
        return ByteBuffer.wrap(data);
    }
}

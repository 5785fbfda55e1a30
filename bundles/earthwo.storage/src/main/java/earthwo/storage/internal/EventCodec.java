package earthwo.storage.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The on-disk form of an outbox event ({@link Outbox}).
 *
 * <pre>
 * JE key:  i64 version timestamp, i32 version node id (big-endian), then the record's key
 * JE data: u8 type code ({@link EventType#code()}), i64 expiresAt, u8 truncated (0 or 1),
 *          then the value bytes (CREATED and UPDATED only; cut to the node's limit)
 * </pre>
 *
 * Timestamps compare unsigned and node ids are not negative, so JE's unsigned byte order is
 * version order. The key is made of what the change itself carries, so every replica files the
 * same change under the same key, and recording it twice overwrites it.
 */
final class EventCodec {

    static final int VERSION_BYTES = 8 + 4;
    static final int HEADER_BYTES = 1 + 8 + 1;
    private static final int EXPIRES_AT = 1;
    private static final int TRUNCATED = 9;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private EventCodec() {
    }

    /** The JE key of the event of {@code record}'s change. */
    static byte[] key(Record record) {
        byte[] key = record.key();
        byte[] k = new byte[VERSION_BYTES + key.length];
        putVersion(k, record.version());
        System.arraycopy(key, 0, k, VERSION_BYTES, key.length);
        return k;
    }

    /** The first {@link #VERSION_BYTES} of the keys of events with {@code version}: where a cursor seeks them. */
    static byte[] versionKey(Version version) {
        byte[] k = new byte[VERSION_BYTES];
        putVersion(k, version);
        return k;
    }

    private static void putVersion(byte[] k, Version version) {
        LONG.set(k, 0, version.timestamp());
        INT.set(k, 8, version.nodeId());
    }

    static Version versionOf(byte[] eventKey) {
        return new Version((long) LONG.get(eventKey, 0), (int) INT.get(eventKey, 8));
    }

    /** The JE data of an event of {@code type} for {@code record}, its value cut to {@code valueLimit} bytes. */
    static byte[] data(EventType type, Record record, int valueLimit) {
        byte[] value = record.value();
        boolean hasValue = type == EventType.CREATED || type == EventType.UPDATED;
        int kept = hasValue ? Math.min(value.length, valueLimit) : 0;
        byte[] d = new byte[HEADER_BYTES + kept];
        d[0] = (byte) type.code();
        LONG.set(d, EXPIRES_AT, record.expiresAt());
        d[TRUNCATED] = (byte) (hasValue && kept < value.length ? 1 : 0);
        System.arraycopy(value, 0, d, HEADER_BYTES, kept);
        return d;
    }

    /** The event stored under {@code eventKey} with {@code data} in the outbox of {@code segment}. */
    static KeyEvent decode(int segment, byte[] eventKey, byte[] data) {
        if (eventKey.length <= VERSION_BYTES) {
            throw corrupt(segment, eventKey, "key of " + eventKey.length + " bytes");
        }
        byte[] key = Arrays.copyOfRange(eventKey, VERSION_BYTES, eventKey.length);
        if (data.length < HEADER_BYTES) {
            throw corrupt(segment, key, "data of " + data.length + " bytes");
        }
        EventType type = EventType.fromCode(data[0] & 0xff);
        if (type == null || type == EventType.GAP) {
            throw corrupt(segment, key, "event type code " + (data[0] & 0xff));
        }
        long expiresAt = (long) LONG.get(data, EXPIRES_AT);
        byte[] value = Arrays.copyOfRange(data, HEADER_BYTES, data.length);
        return KeyEvent.change(type, key, versionOf(eventKey), segment, expiresAt, value, data[TRUNCATED] != 0);
    }

    private static EarthwoException corrupt(int segment, byte[] key, String problem) {
        return new EarthwoException(ErrorCode.INTERNAL,
                "corrupt outbox event in segment " + segment + " for key '" + Keys.printable(key) + "': " + problem);
    }
}

package earthwo.storage.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RecordCodecTest {

    private static final byte[] KEY = Keys.utf8("user:42");

    @Test
    void valueRoundTrips() {
        Record r = Record.value(KEY, Keys.utf8("hello"), Version.of(1_700_000_000_000L, 7, 3), 1_800_000_000_000L);
        byte[] data = RecordCodec.encode(r);
        assertEquals(RecordCodec.HEADER_BYTES + 5, data.length);
        assertEquals(RecordCodec.FORMAT_1, data[0]);
        Record back = RecordCodec.decode(KEY, data);
        assertEquals(r, back);
        assertEquals(1_800_000_000_000L, back.expiresAt());
        assertEquals(r.version(), RecordCodec.decodeVersion(KEY, data));
    }

    @Test
    void theExpiryIsReadFromTheHeaderAlone() {
        byte[] data = RecordCodec.encode(Record.value(KEY, Keys.utf8("a long value"), new Version(5L, 1), 123_456L));
        assertEquals(123_456L, RecordCodec.decodeExpiresAt(KEY, data));
        assertEquals(123_456L, RecordCodec.decodeExpiresAt(KEY, Arrays.copyOf(data, RecordCodec.HEADER_BYTES)),
                "a partial JE read of the header is enough");
        assertEquals(Record.NEVER, RecordCodec.decodeExpiresAt(KEY, RecordCodec.encode(Record.tombstone(KEY, new Version(6L, 1)))));
        assertThrows(CorruptRecordException.class, () -> RecordCodec.decodeExpiresAt(KEY, Arrays.copyOf(data, 10)));
    }

    @Test
    void tombstoneRoundTrips() {
        Record r = Record.tombstone(KEY, new Version(99L, 2));
        byte[] data = RecordCodec.encode(r);
        assertEquals(RecordCodec.HEADER_BYTES, data.length);
        Record back = RecordCodec.decode(KEY, data);
        assertTrue(back.isTombstone());
        assertEquals(r, back);
    }

    @Test
    void emptyAndLargeValuesAndExtremeVersionsRoundTrip() {
        byte[] big = new byte[1024 * 1024];
        new Random(1).nextBytes(big);
        Version[] versions = {Version.ZERO, new Version(-1L, Integer.MAX_VALUE), new Version(Long.MIN_VALUE, Integer.MIN_VALUE)};
        for (Version v : versions) {
            for (byte[] value : new byte[][] {new byte[0], big}) {
                Record r = Record.value(KEY, value, v, Record.NEVER);
                Record back = RecordCodec.decode(KEY, RecordCodec.encode(r));
                assertEquals(r, back);
                assertEquals(v, back.version());
                assertArrayEquals(value, back.value());
            }
        }
    }

    @Test
    void decodedValueDoesNotAliasStoredBytes() {
        byte[] data = RecordCodec.encode(Record.value(KEY, new byte[] {1, 2, 3}, new Version(1, 1), 0));
        Record back = RecordCodec.decode(KEY, data);
        data[RecordCodec.HEADER_BYTES] = 9;
        assertEquals(1, back.value()[0]);
    }

    @Test
    void rejectsShortData() {
        byte[] data = RecordCodec.encode(Record.value(KEY, new byte[0], new Version(1, 1), 0));
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> RecordCodec.decode(KEY, Arrays.copyOf(data, data.length - 1)));
        assertTrue(e.getMessage().contains("user:42"), e.getMessage());
        assertTrue(e.getMessage().contains("header"), e.getMessage());
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertThrows(CorruptRecordException.class, () -> RecordCodec.decode(KEY, new byte[0]));
        assertThrows(CorruptRecordException.class, () -> RecordCodec.decode(KEY, null));
        assertThrows(CorruptRecordException.class, () -> RecordCodec.decodeVersion(KEY, new byte[3]));
    }

    @Test
    void rejectsUnknownFormat() {
        byte[] data = RecordCodec.encode(Record.value(KEY, new byte[] {1}, new Version(1, 1), 0));
        data[0] = 2;
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> RecordCodec.decode(KEY, data));
        assertTrue(e.getMessage().contains("format"), e.getMessage());
    }

    @Test
    void rejectsUnknownFlags() {
        byte[] data = RecordCodec.encode(Record.value(KEY, new byte[] {1}, new Version(1, 1), 0));
        data[1] = (byte) 0x80;
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> RecordCodec.decode(KEY, data));
        assertTrue(e.getMessage().contains("flags"), e.getMessage());
    }

    @Test
    void rejectsTombstoneWithValueBytes() {
        byte[] data = RecordCodec.encode(Record.value(KEY, new byte[] {1, 2}, new Version(1, 1), 0));
        data[1] = 1;
        assertThrows(CorruptRecordException.class, () -> RecordCodec.decode(KEY, data));
    }
}

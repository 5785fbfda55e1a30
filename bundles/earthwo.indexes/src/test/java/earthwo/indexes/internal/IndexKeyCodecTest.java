package earthwo.indexes.internal;

import static earthwo.api.indexes.IndexType.DOUBLE;
import static earthwo.api.indexes.IndexType.LONG;
import static earthwo.api.indexes.IndexType.STRING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.indexes.IndexType;

import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class IndexKeyCodecTest {

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void longsAreBigEndianWithTheSignBitFlipped() {
        assertEquals("0000000000000000", hex(IndexKeyCodec.encodeLong(Long.MIN_VALUE)));
        assertEquals("7fffffffffffffff", hex(IndexKeyCodec.encodeLong(-1)));
        assertEquals("8000000000000000", hex(IndexKeyCodec.encodeLong(0)));
        assertEquals("800000000000002a", hex(IndexKeyCodec.encodeLong(42)));
        assertEquals("ffffffffffffffff", hex(IndexKeyCodec.encodeLong(Long.MAX_VALUE)));
    }

    @Test
    void doublesFlipAllBitsWhenNegativeElseTheSignBit() {
        assertEquals("8000000000000000", hex(IndexKeyCodec.encodeDouble(0.0)));
        assertEquals("8000000000000000", hex(IndexKeyCodec.encodeDouble(-0.0)), "-0.0 is stored as 0.0");
        assertEquals("bff0000000000000", hex(IndexKeyCodec.encodeDouble(1.0)));
        assertEquals("400fffffffffffff", hex(IndexKeyCodec.encodeDouble(-1.0)));
        assertEquals("fff0000000000000", hex(IndexKeyCodec.encodeDouble(Double.POSITIVE_INFINITY)));
        assertEquals("000fffffffffffff", hex(IndexKeyCodec.encodeDouble(Double.NEGATIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.encodeDouble(Double.NaN));
    }

    @Test
    void stringsAreUtf8WithNulEscapedAndAnEndMarker() {
        assertEquals("0001", hex(IndexKeyCodec.encodeString("")));
        assertEquals("610001", hex(IndexKeyCodec.encodeString("a")));
        assertEquals("6100ff0001", hex(IndexKeyCodec.encodeString("a\0")));
        assertEquals("61620001", hex(IndexKeyCodec.encodeString("ab")));
        assertEquals("c3bf0001", hex(IndexKeyCodec.encodeString("\u00ff")));
        assertEquals("e282ac0001", hex(IndexKeyCodec.encodeString("€")));
        assertEquals("f09f98800001", hex(IndexKeyCodec.encodeString("😀")));
        assertEquals("f48fbfbf0001", hex(IndexKeyCodec.encodeString("\udbff\udfff")));
        assertEquals("efbfbf0001", hex(IndexKeyCodec.encodeString("\uffff")));
    }

    @Test
    void theExamplesOrderAsTheirValues() {
        byte[] a = IndexKeyCodec.encodeString("a");
        byte[] aNul = IndexKeyCodec.encodeString("a\0");
        byte[] ab = IndexKeyCodec.encodeString("ab");
        assertTrue(Arrays.compareUnsigned(a, aNul) < 0);
        assertTrue(Arrays.compareUnsigned(aNul, ab) < 0);
        assertTrue(Arrays.compareUnsigned(IndexKeyCodec.encodeLong(-5), IndexKeyCodec.encodeLong(3)) < 0);
        assertTrue(Arrays.compareUnsigned(IndexKeyCodec.encodeLong(3), IndexKeyCodec.encodeLong(10)) < 0);
        assertTrue(Arrays.compareUnsigned(IndexKeyCodec.encodeDouble(-5), IndexKeyCodec.encodeDouble(3)) < 0);
        assertTrue(Arrays.compareUnsigned(IndexKeyCodec.encodeDouble(3), IndexKeyCodec.encodeDouble(10)) < 0);
        assertTrue(Arrays.compareUnsigned(IndexKeyCodec.encodeString("\uffff"), IndexKeyCodec.encodeString("😀")) < 0,
                "code point order, where String.compareTo says the opposite");
        assertTrue("\uffff".compareTo("😀") > 0);
    }

    @Test
    void anUnpairedSurrogateCannotBeEncoded() {
        assertEquals(-1, IndexKeyCodec.encodedLength("\ud800"));
        assertEquals(-1, IndexKeyCodec.encodedLength("a\udc00"));
        assertEquals(-1, IndexKeyCodec.encodedLength("\udc00\ud800"));
        assertEquals(-1, IndexKeyCodec.encodedLength("\ud800a"));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.encodeString("x\ud800"));
    }

    @Test
    void decodeSplitsAnEntryIntoValueAndRecordKey() {
        for (IndexType type : IndexType.values()) {
            Object value = type == STRING ? "a\0b" : type == LONG ? (Object) (-7L) : (Object) 2.5;
            byte[] encoded = IndexKeyCodec.encode(type, value);
            byte[] key = {0x00, 0x01, (byte) 0xFF, 0x00};
            byte[] entry = new byte[3 + encoded.length + key.length];
            entry[0] = 9;
            System.arraycopy(encoded, 0, entry, 3, encoded.length);
            System.arraycopy(key, 0, entry, 3 + encoded.length, key.length);
            IndexKeyCodec.Decoded d = IndexKeyCodec.decode(type, entry, 3);
            assertEquals(value, d.value(), type.toString());
            assertEquals(encoded.length, d.length());
            assertArrayEquals(key, Arrays.copyOfRange(entry, 3 + d.length(), entry.length));
        }
    }

    @Test
    void decodeRefusesBytesThatAreNoEncoding() {
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.decode(LONG, new byte[7], 0));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.decode(DOUBLE, new byte[8], 1));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.decode(LONG, new byte[8], -1));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.decode(STRING, new byte[] {'a'}, 0));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.decode(STRING, new byte[] {'a', 0}, 0));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.decode(STRING, new byte[] {0, 2}, 0));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.decode(STRING, new byte[] {(byte) 0xC3, 0, 1}, 0));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.decode(STRING, new byte[] {0, 1}, 3));
        assertEquals("", IndexKeyCodec.decode(STRING, new byte[] {0, 1}, 0).value());
    }

    @Test
    void encodeTakesOnlyTheValueClassOfItsType() {
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.encode(LONG, 1));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.encode(DOUBLE, 1L));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.encode(STRING, 1L));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.encode(STRING, null));
    }

    @Test
    void displayForPeople() {
        assertEquals("-42", IndexKeyCodec.display(LONG, -42L));
        assertEquals("1.5", IndexKeyCodec.display(DOUBLE, 1.5));
        assertEquals("1.0E20", IndexKeyCodec.display(DOUBLE, 1e20));
        assertEquals("café 😀 \\", IndexKeyCodec.display(STRING, "café 😀 \\"));
        assertEquals("a\\u000ab\\u0000c\\u007f\\u0085", IndexKeyCodec.display(STRING, "a\nb\0c\u007f\u0085"));
        assertThrows(IllegalArgumentException.class, () -> IndexKeyCodec.display(LONG, "42"));
    }

    @Test
    void whatDisplayShowsOfANumberReadsBackAsABound() {
        for (double d : new double[] {1e20, -1.5, Double.MIN_VALUE, Double.MAX_VALUE, 0.1, 3.0}) {
            assertEquals(d, IndexKeyCodec.parseQueryBound(DOUBLE, IndexKeyCodec.display(DOUBLE, d)));
        }
        assertEquals(Long.MIN_VALUE, IndexKeyCodec.parseQueryBound(LONG, IndexKeyCodec.display(LONG, Long.MIN_VALUE)));
    }

    @Test
    void queryBoundsAreParsedByTheStringRulesAndEncoded() {
        assertArrayEquals(IndexKeyCodec.encodeLong(42), IndexKeyCodec.encodeQueryBound(LONG, "42"));
        assertArrayEquals(IndexKeyCodec.encodeLong(-42), IndexKeyCodec.encodeQueryBound(LONG, "-42"));
        assertArrayEquals(IndexKeyCodec.encodeDouble(-1.5), IndexKeyCodec.encodeQueryBound(DOUBLE, "-1.5"));
        assertArrayEquals(IndexKeyCodec.encodeDouble(0.0), IndexKeyCodec.encodeQueryBound(DOUBLE, "-0"));
        assertArrayEquals(IndexKeyCodec.encodeString(" a b "), IndexKeyCodec.encodeQueryBound(STRING, " a b "));
        assertArrayEquals(IndexKeyCodec.encodeString("x".repeat(2000)), IndexKeyCodec.encodeQueryBound(STRING, "x".repeat(2000)),
                "a bound longer than any value is still a bound");
    }

    @Test
    void aBadBoundIsABadRequestNamingTheType() {
        for (String bad : new String[] {"4x2", "", "42.0", " 42", "9223372036854775808"}) {
            EarthwoException e = assertThrows(EarthwoException.class, () -> IndexKeyCodec.encodeQueryBound(LONG, bad));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.getMessage().contains("LONG") && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        for (String bad : new String[] {"NaN", "Infinity", "1e400", "abc", "0x10"}) {
            EarthwoException e = assertThrows(EarthwoException.class, () -> IndexKeyCodec.encodeQueryBound(DOUBLE, bad));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.getMessage().contains("DOUBLE"), e.getMessage());
        }
        EarthwoException e = assertThrows(EarthwoException.class, () -> IndexKeyCodec.encodeQueryBound(STRING, "\ud800"));
        assertTrue(e.getMessage().contains("STRING"), e.getMessage());
        e = assertThrows(EarthwoException.class, () -> IndexKeyCodec.encodeQueryBound(LONG, null));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }
}

package earthwo.indexes.internal;

import static earthwo.api.indexes.IndexType.DOUBLE;
import static earthwo.api.indexes.IndexType.LONG;
import static earthwo.api.indexes.IndexType.STRING;
import static earthwo.indexes.internal.IndexValueCoercion.coerce;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class IndexValueCoercionTest {

    @Test
    void stringTakesTextAsItIs() {
        assertEquals("Ada", coerce(STRING, "Ada"));
        assertEquals("", coerce(STRING, ""));
        assertEquals(" 42 ", coerce(STRING, " 42 "));
        assertEquals("a\0b", coerce(STRING, "a\0b"));
    }

    @Test
    void stringTakesBooleansAsTrueAndFalse() {
        assertEquals("true", coerce(STRING, true));
        assertEquals("false", coerce(STRING, Boolean.FALSE));
    }

    @Test
    void stringTakesNumbersByOneCanonicalTextWhateverTheirClass() {
        for (Object fortyTwo : List.of(42L, 42, (short) 42, (byte) 42, 42.0, 42.0f, new BigDecimal("42.000"),
                new BigDecimal("4.2e1"), BigInteger.valueOf(42), new AtomicLong(42))) {
            assertEquals("42", coerce(STRING, fortyTwo), fortyTwo.getClass().getName());
        }
        assertEquals("0", coerce(STRING, -0.0));
        assertEquals("0", coerce(STRING, new BigDecimal("-0.000")));
        assertEquals("-1.5", coerce(STRING, -1.5));
        assertEquals("-1.5", coerce(STRING, new BigDecimal("-1.50")));
        assertEquals("0.1", coerce(STRING, 0.1));
        assertEquals("0.1", coerce(STRING, 0.1f), "a float's own shortest digits, not its double's");
        assertEquals("0.000001", coerce(STRING, 1e-6));
        assertEquals("1E-7", coerce(STRING, 1e-7));
        assertEquals("1E+20", coerce(STRING, 1e20));
        assertEquals("1E+20", coerce(STRING, new BigDecimal("100000000000000000000")));
        assertEquals("1E+20", coerce(STRING, BigInteger.TEN.pow(20)));
        assertEquals("9223372036854775807", coerce(STRING, Long.MAX_VALUE));
        assertEquals("9223372036854775808", coerce(STRING, new BigDecimal("9223372036854775808")));
        assertEquals("5E-324", coerce(STRING, Double.MIN_VALUE), "one digit reads back as the smallest double");
        assertEquals("1.7976931348623157E+308", coerce(STRING, Double.MAX_VALUE));
        assertEquals("2E+23", coerce(STRING, 2e23), "the same digits on every Java version");
    }

    @Test
    void stringRefusesWhatHasNoText() {
        assertNull(coerce(STRING, Double.NaN));
        assertNull(coerce(STRING, Double.POSITIVE_INFINITY));
        assertNull(coerce(STRING, Float.NEGATIVE_INFINITY));
        assertNull(coerce(STRING, NotIndexable.JSON_OBJECT));
        assertNull(coerce(STRING, Map.of()));
        assertNull(coerce(STRING, 'c'));
    }

    @Test
    void longTakesWholeNumbersInRange() {
        assertEquals(42L, coerce(LONG, 42));
        assertEquals(Long.MIN_VALUE, coerce(LONG, Long.MIN_VALUE));
        assertEquals(3L, coerce(LONG, 3.0));
        assertEquals(0L, coerce(LONG, -0.0));
        assertEquals(-9223372036854775808L, coerce(LONG, -0x1p63));
        assertEquals(1000L, coerce(LONG, new BigDecimal("1e3")));
        assertEquals(2L, coerce(LONG, new BigDecimal("2.000")));
        assertEquals(Long.MAX_VALUE, coerce(LONG, new BigDecimal("9223372036854775807")));
        assertEquals(Long.MAX_VALUE, coerce(LONG, BigInteger.valueOf(Long.MAX_VALUE)));
        assertEquals(7L, coerce(LONG, new AtomicLong(7)));
    }

    @Test
    void longRefusesFractionsOutOfRangeAndNonNumbers() {
        assertNull(coerce(LONG, 1.5));
        assertNull(coerce(LONG, 0x1p63), "2^63 is one past Long.MAX_VALUE");
        assertNull(coerce(LONG, Double.NaN));
        assertNull(coerce(LONG, Double.POSITIVE_INFINITY));
        assertNull(coerce(LONG, new BigDecimal("2.0000000000000001")));
        assertNull(coerce(LONG, new BigDecimal("9223372036854775808")));
        assertNull(coerce(LONG, new BigDecimal("-9223372036854775809")));
        assertNull(coerce(LONG, new BigDecimal("1e999999999")));
        assertNull(coerce(LONG, new BigDecimal("1e-999999999")));
        assertNull(coerce(LONG, BigInteger.ONE.shiftLeft(63)));
        assertNull(coerce(LONG, true));
        assertNull(coerce(LONG, NotIndexable.JSON_ARRAY));
    }

    @Test
    void longTakesStringsOfDigitsWithAnOptionalSign() {
        assertEquals(42L, coerce(LONG, "42"));
        assertEquals(-42L, coerce(LONG, "-42"));
        assertEquals(42L, coerce(LONG, "+42"));
        assertEquals(7L, coerce(LONG, "007"));
        assertEquals(Long.MIN_VALUE, coerce(LONG, "-9223372036854775808"));
        for (String no : new String[] {"", "-", "+", " 42", "42 ", "4 2", "42.0", "4e2", "0x2A", "٤٢", "42L",
                "9223372036854775808", "--1", "abc"}) {
            assertNull(coerce(LONG, no), no);
        }
    }

    @Test
    void doubleTakesFiniteNumbers() {
        assertEquals(1.5, coerce(DOUBLE, 1.5));
        assertEquals(0.5, coerce(DOUBLE, 0.5f));
        assertEquals(42.0, coerce(DOUBLE, 42L));
        assertEquals(9.223372036854775807E18, coerce(DOUBLE, Long.MAX_VALUE));
        assertEquals(0.1, coerce(DOUBLE, new BigDecimal("0.1")));
        assertEquals(9007199254740992.0, coerce(DOUBLE, new BigDecimal("9007199254740993")), "rounded half-even");
        assertEquals(Double.MIN_VALUE, coerce(DOUBLE, Double.MIN_VALUE));
        assertEquals(0.0, coerce(DOUBLE, new BigDecimal("1e-999999999")), "underflows to zero");
        assertEquals(1e300, coerce(DOUBLE, BigInteger.TEN.pow(300)));
    }

    @Test
    void doubleStoresNegativeZeroAsZero() {
        Object zero = coerce(DOUBLE, -0.0);
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits((Double) zero));
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits((Double) coerce(DOUBLE, "-0")));
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits((Double) coerce(DOUBLE, -0.0f)));
    }

    @Test
    void doubleRefusesWhatIsNotFinite() {
        assertNull(coerce(DOUBLE, Double.NaN));
        assertNull(coerce(DOUBLE, Double.NEGATIVE_INFINITY));
        assertNull(coerce(DOUBLE, Float.NaN));
        assertNull(coerce(DOUBLE, new BigDecimal("1e400")));
        assertNull(coerce(DOUBLE, BigInteger.TEN.pow(400)));
        assertNull(coerce(DOUBLE, false));
        assertNull(coerce(DOUBLE, NotIndexable.JSON_OBJECT));
    }

    @Test
    void doubleTakesStringsInDecimalNotation() {
        assertEquals(-1.5, coerce(DOUBLE, "-1.5"));
        assertEquals(1.5, coerce(DOUBLE, "+1.5"));
        assertEquals(2e10, coerce(DOUBLE, "2e10"));
        assertEquals(2e-10, coerce(DOUBLE, "2E-10"));
        assertEquals(0.5, coerce(DOUBLE, ".5"));
        assertEquals(5.0, coerce(DOUBLE, "5."));
        assertEquals(42.0, coerce(DOUBLE, "42"));
        assertEquals(1.0E20, coerce(DOUBLE, "1.0E20"), "what display shows reads back");
        assertEquals(0.1, coerce(DOUBLE, "0." + "0".repeat(100_000) + "1e100000"));
        for (String no : new String[] {"", ".", "-", "e5", "1e", "1e+", "NaN", "-Infinity", "Infinity", "0x1p3",
                "1.5d", "1.5f", " 1.5", "1.5 ", "1,5", "1e400", "-1e400", "1.2.3", "١٫٥"}) {
            assertNull(coerce(DOUBLE, no), no);
        }
    }
}

package earthwo.indexes.internal;

import earthwo.api.indexes.IndexType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The type rules of an index: which extracted objects an {@link IndexType} takes, and as what
 * value (a {@link String}, {@link Long} or {@link Double}). Anything else is a type mismatch, so
 * the record is not indexed under that value rather than under a guess.
 *
 * <ul>
 * <li>STRING takes a string as it is; {@code true}/{@code false}; and a finite number as its
 *     canonical text (see {@link #canonicalText}), so {@code 42}, {@code 42.0} and {@code "42"}
 *     are one value.</li>
 * <li>LONG takes a number whose value is a whole number within the long range ({@code 42},
 *     {@code 42.0}, {@code 4.2e1}), and a string of ASCII digits with an optional sign
 *     ({@code "-42"}, {@code "+42"}, {@code "007"}; no spaces, no fraction or exponent).</li>
 * <li>DOUBLE takes any number whose value rounds to a finite double (a long beyond 2^53 rounds to
 *     the nearest double), and a string in decimal notation ({@code "-1.5"}, {@code "2e10"},
 *     {@code ".5"}) that does; not {@code NaN}, {@code Infinity}, hex, or spaces. {@code -0.0}
 *     becomes {@code 0.0}, so both are one value.</li>
 * </ul>
 * A boolean is not a number. Query bounds are read by the string rules.
 */
final class IndexValueCoercion {

    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private IndexValueCoercion() {
    }

    /** The value {@code extracted} is under {@code type}, or null for a type mismatch. */
    static Object coerce(IndexType type, Object extracted) {
        try {
            switch (type) {
                case STRING:
                    return toText(extracted);
                case LONG:
                    return toLong(extracted);
                case DOUBLE:
                    return toDouble(extracted);
                default:
                    throw new IllegalArgumentException("unknown index type " + type);
            }
        } catch (ArithmeticException | NumberFormatException unusual) {
            return null; // an exponent out of BigDecimal's range, or a Number whose text is not a number
        }
    }

    private static String toText(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Boolean b) {
            return b.toString();
        }
        if (v instanceof Number n) {
            return canonicalText(n);
        }
        return null;
    }

    /**
     * The text a number is a STRING index value as, or null if it is not finite: a whole number
     * within the long range in plain digits ({@code 42}, also for {@code 42.0} and {@code 4.2e1});
     * any other value as {@link BigDecimal#toString()} of its decimal with trailing zeros removed
     * ({@code 1.5}, {@code 0.000001}, {@code 1E-7}, {@code 1E+20}). A {@link Double} or
     * {@link Float} is first turned into its shortest round-tripping decimal by
     * {@link #shortestDecimal}, which is defined by arithmetic alone: the text is the same on
     * every node whatever its Java version.
     */
    static String canonicalText(Number n) {
        BigDecimal exact = decimalOf(n);
        if (exact == null) {
            return null;
        }
        Long whole = longOf(exact);
        return whole != null ? whole.toString() : exact.stripTrailingZeros().toString();
    }

    /** The decimal a number stands for, or null if it has none (NaN, infinities). */
    private static BigDecimal decimalOf(Number n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return BigDecimal.valueOf(n.longValue());
        }
        if (n instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (n instanceof Float f) {
            return Float.isFinite(f) ? shortestDecimal(f.doubleValue(), true) : null;
        }
        if (n instanceof Double d) {
            return Double.isFinite(d) ? shortestDecimal(d, false) : null;
        }
        return new BigDecimal(n.toString()); // another Number type: its text (NumberFormatException → mismatch)
    }

    /**
     * The decimal with the fewest significant digits that, rounded half-even from the exact
     * binary value, reads back as the same double (or float). Double.toString is not used: its
     * digits changed between Java versions, and two replicas must index a value identically.
     */
    static BigDecimal shortestDecimal(double value, boolean asFloat) {
        if (value == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal exact = new BigDecimal(value);
        for (int digits = 1; digits < 17; digits++) {
            BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            boolean same = asFloat ? rounded.floatValue() == (float) value : rounded.doubleValue() == value;
            if (same) {
                return rounded;
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)); // 17 digits always read back
    }

    private static Long toLong(Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            // -2^63 and 2^63 are exact doubles; NaN fails the first test, infinities the range.
            boolean whole = d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63;
            return whole ? (long) d : null;
        }
        if (v instanceof BigInteger i) {
            return i.bitLength() < 64 ? i.longValue() : null;
        }
        if (v instanceof BigDecimal d) {
            return longOf(d);
        }
        if (v instanceof Number n) {
            return longOf(new BigDecimal(n.toString()));
        }
        if (v instanceof String s) {
            return parseLong(s);
        }
        return null;
    }

    /** The long a decimal equals exactly, or null if it has a fraction or lies outside the range. */
    private static Long longOf(BigDecimal d) {
        // Range first: longValueExact on a huge exponent would build the whole number.
        if (d.compareTo(LONG_MIN) < 0 || d.compareTo(LONG_MAX) > 0) {
            return null;
        }
        try {
            return d.longValueExact();
        } catch (ArithmeticException fraction) {
            return null;
        }
    }

    private static Double toDouble(Object v) {
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue(); // correctly rounded for BigDecimal, BigInteger and long
        } else if (v instanceof String s) {
            Double parsed = parseFiniteDouble(s);
            if (parsed == null) {
                return null;
            }
            d = parsed;
        } else {
            return null;
        }
        if (!Double.isFinite(d)) {
            return null;
        }
        return d == 0 ? 0.0 : d; // -0.0 == 0 too: one value, one encoding
    }

    /** A string of ASCII digits with an optional sign, as a long; null for anything else or out of range. */
    static Long parseLong(String s) {
        int start = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
        if (start == s.length()) {
            return null;
        }
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return null; // Long.parseLong would take other scripts' digits too
            }
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException outOfRange) {
            return null;
        }
    }

    /**
     * A decimal number ({@code -1.5}, {@code 2e10}, {@code .5}, {@code 5.}) that rounds to a
     * finite double, with {@code -0.0} as {@code 0.0}; null for anything else.
     */
    static Double parseFiniteDouble(String s) {
        if (!isDecimalNotation(s)) {
            return null; // Double.parseDouble would also take NaN, Infinity, hex, "1d" and spaces
        }
        double d = Double.parseDouble(s);
        if (!Double.isFinite(d)) {
            return null;
        }
        return d == 0 ? 0.0 : d;
    }

    /** [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, checked in one pass. */
    private static boolean isDecimalNotation(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}

package earthwo.indexes.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.indexes.IndexType;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes an index value is stored as. An index entry is the encoded value followed by the
 * record key, and JE orders entries by plain unsigned byte comparison, so an encoding must sort
 * exactly as its values do, and must end by itself so that the key after it never changes the
 * order of two different values:
 * <ul>
 * <li>LONG: 8 bytes big-endian with the sign bit flipped, so negatives come before positives.</li>
 * <li>DOUBLE: the 8 IEEE 754 bytes big-endian; for a negative value every bit flipped (a larger
 *     magnitude is then smaller), for any other the sign bit flipped (above every negative).
 *     {@code -0.0} is stored as {@code 0.0}; NaN is never stored.</li>
 * <li>STRING: UTF-8, with each 0x00 byte written 0x00 0xFF, ended by 0x00 0x01. UTF-8 byte order
 *     is code point order; the end marker sorts below every character, including U+0000, so
 *     {@code "a" < "a\0" < "ab"}. (UTF-8 never holds 0xFF, so the escape is unambiguous.) This
 *     order is Unicode code point order, which differs from {@link String#compareTo} (UTF-16
 *     units) for characters above U+FFFF against U+E000..U+FFFF.</li>
 * </ul>
 */
final class IndexKeyCodec {

    /** The length of an encoded LONG or DOUBLE. */
    static final int NUMBER_BYTES = 8;

    /**
     * A value read back, and how many bytes its encoding took (where the record key of an entry
     * starts).
     */
    record Decoded(Object value, int length) {
    }

    private IndexKeyCodec() {
    }

    /**
     * Encodes a value of {@code type}: a {@link String}, {@link Long} or {@link Double} (as
     * {@link IndexValueCoercion} gives them).
     *
     * @throws IllegalArgumentException for a value of another class, a NaN, or a string with an
     *         unpaired surrogate
     */
    static byte[] encode(IndexType type, Object value) {
        switch (type) {
            case STRING:
                return encodeString(cast(value, String.class, type));
            case LONG:
                return encodeLong(cast(value, Long.class, type));
            case DOUBLE:
                return encodeDouble(cast(value, Double.class, type));
            default:
                throw new IllegalArgumentException("unknown index type " + type);
        }
    }

    static byte[] encodeLong(long value) {
        return ByteBuffer.allocate(NUMBER_BYTES).putLong(value ^ Long.MIN_VALUE).array();
    }

    static byte[] encodeDouble(double value) {
        if (Double.isNaN(value)) {
            throw new IllegalArgumentException("NaN has no place in an index's order");
        }
        long bits = Double.doubleToLongBits(value == 0 ? 0.0 : value);
        long ordered = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
        return ByteBuffer.allocate(NUMBER_BYTES).putLong(ordered).array();
    }

    /**
     * The length of {@link #encodeString}'s result, or -1 if {@code s} has an unpaired surrogate
     * (which UTF-8 cannot hold: replacing it would make different strings one value).
     */
    static int encodedLength(String s) {
        int length = 2; // the end marker
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                length += 2;
            } else if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return -1;
                }
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }

    static byte[] encodeString(String s) {
        int length = encodedLength(s);
        if (length < 0) {
            throw new IllegalArgumentException("a string with an unpaired surrogate cannot be encoded as UTF-8");
        }
        byte[] out = new byte[length];
        int p = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                out[p++] = 0x00;
                out[p++] = (byte) 0xFF;
            } else if (c < 0x80) {
                out[p++] = (byte) c;
            } else if (c < 0x800) {
                out[p++] = (byte) (0xC0 | c >> 6);
                out[p++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[p++] = (byte) (0xF0 | cp >> 18);
                out[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
                out[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
                out[p++] = (byte) (0x80 | cp & 0x3F);
            } else {
                out[p++] = (byte) (0xE0 | c >> 12);
                out[p++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[p++] = (byte) (0x80 | c & 0x3F);
            }
        }
        out[p++] = 0x00;
        out[p] = 0x01;
        return out;
    }

    /**
     * Reads the value encoded at {@code offset} of {@code buf}, for splitting an index entry into
     * value and record key, and for showing values.
     *
     * @throws IllegalArgumentException if the bytes there are not an encoding of {@code type}
     */
    static Decoded decode(IndexType type, byte[] buf, int offset) {
        switch (type) {
            case STRING:
                return decodeString(buf, offset);
            case LONG:
                return new Decoded(readLong(buf, offset) ^ Long.MIN_VALUE, NUMBER_BYTES);
            case DOUBLE:
                long ordered = readLong(buf, offset);
                long bits = ordered < 0 ? ordered ^ Long.MIN_VALUE : ~ordered;
                return new Decoded(Double.longBitsToDouble(bits), NUMBER_BYTES);
            default:
                throw new IllegalArgumentException("unknown index type " + type);
        }
    }

    private static long readLong(byte[] buf, int offset) {
        if (offset < 0 || buf.length - offset < NUMBER_BYTES) {
            throw new IllegalArgumentException("an encoded number needs " + NUMBER_BYTES + " bytes at offset "
                    + offset + ", the buffer has " + buf.length);
        }
        return ByteBuffer.wrap(buf, offset, NUMBER_BYTES).getLong();
    }

    private static Decoded decodeString(byte[] buf, int offset) {
        if (offset < 0 || offset > buf.length) {
            throw new IllegalArgumentException("offset " + offset + " outside a buffer of " + buf.length + " bytes");
        }
        int escapes = 0;
        int end = offset;
        while (true) {
            if (end + 1 >= buf.length) {
                throw new IllegalArgumentException("encoded string at offset " + offset + " has no end marker");
            }
            if (buf[end] == 0) {
                if (buf[end + 1] == 0x01) {
                    break;
                }
                if (buf[end + 1] != (byte) 0xFF) {
                    throw new IllegalArgumentException("bad escape 0x00 0x"
                            + Integer.toHexString(buf[end + 1] & 0xFF) + " at offset " + end);
                }
                escapes++;
                end += 2;
            } else {
                end++;
            }
        }
        byte[] utf8 = new byte[end - offset - escapes];
        for (int i = offset, p = 0; i < end; i++) {
            utf8[p++] = buf[i];
            if (buf[i] == 0) {
                i++; // the 0xFF of the escape
            }
        }
        try {
            // The strict decoder refuses malformed UTF-8 where new String would replace it.
            String value = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(utf8)).toString();
            return new Decoded(value, end + 2 - offset);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("encoded string at offset " + offset + " is not valid UTF-8", e);
        }
    }

    /**
     * A value for people: a number in Java's notation ({@code 42}, {@code -1.5}, {@code 1.0E20}),
     * which {@link #parseQueryBound} reads back; a string as it is, except that control
     * characters are shown as {@code \}{@code uXXXX} so that a value cannot break a line of output
     * (not meant to be read back).
     */
    static String display(IndexType type, Object value) {
        switch (type) {
            case LONG:
                return cast(value, Long.class, type).toString();
            case DOUBLE:
                return cast(value, Double.class, type).toString();
            case STRING:
                return withControlsEscaped(cast(value, String.class, type));
            default:
                throw new IllegalArgumentException("unknown index type " + type);
        }
    }

    private static String withControlsEscaped(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /**
     * A user's bound of an index query (exact match or range end) as a value of {@code type}, by
     * the string rules of {@link IndexValueCoercion}: any text for STRING; {@code 42},
     * {@code -7} for LONG; {@code 1.5}, {@code -2e10} for DOUBLE.
     *
     * @throws EarthwoException {@link ErrorCode#BAD_REQUEST} naming the type and what it takes
     */
    static Object parseQueryBound(IndexType type, String text) {
        if (text == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a bound of an index query is required");
        }
        switch (type) {
            case STRING:
                if (encodedLength(text) < 0) {
                    throw new EarthwoException(ErrorCode.BAD_REQUEST,
                            "a bound of a STRING index cannot hold an unpaired surrogate");
                }
                return text;
            case LONG:
                Long l = IndexValueCoercion.parseLong(text);
                if (l == null) {
                    throw new EarthwoException(ErrorCode.BAD_REQUEST, "'" + text + "' is not a LONG, the type of"
                            + " this index: write a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE);
                }
                return l;
            case DOUBLE:
                Double d = IndexValueCoercion.parseFiniteDouble(text);
                if (d == null) {
                    throw new EarthwoException(ErrorCode.BAD_REQUEST, "'" + text + "' is not a DOUBLE, the type of"
                            + " this index: write a finite decimal number such as -1.5 or 2e10");
                }
                return d;
            default:
                throw new IllegalArgumentException("unknown index type " + type);
        }
    }

    /** {@link #parseQueryBound} then {@link #encode}: the bytes to seek to in the index. */
    static byte[] encodeQueryBound(IndexType type, String text) {
        return encode(type, parseQueryBound(type, text));
    }

    private static <T> T cast(Object value, Class<T> expected, IndexType type) {
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException("a " + type + " index value is a " + expected.getSimpleName()
                    + ", not " + (value == null ? "null" : value.getClass().getName()));
        }
        return expected.cast(value);
    }
}

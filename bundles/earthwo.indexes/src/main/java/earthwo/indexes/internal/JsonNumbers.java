package earthwo.indexes.internal;

import java.math.BigDecimal;

/**
 * Turns the text of a JSON number into the {@link Number} an extraction reports: a {@link Long}
 * for a whole number written without fraction or exponent that fits in a long (the common case,
 * with no other allocation), else an exact {@link BigDecimal}.
 *
 * <p>Not a {@link Double}: JSON numbers are decimal text, and a double would round
 * {@code 9007199254740993} or {@code 12345678901234567.0} to a neighbour, so a LONG index would
 * store a value that is not in the record, and could not tell {@code 2.0} (a whole number) from
 * {@code 2.0000000000000001} (not one). An exact value lets each index type round once, its own
 * way.
 */
final class JsonNumbers {

    /**
     * The longest number text read, in characters. Parsing a number exactly costs time that grows
     * with the square of its length (seconds for a million digits), inside a write; no double needs
     * more than 17 significant digits and no long more than 19, so a longer number is reported as
     * {@link NotIndexable} instead. (Gson's reader already refuses numbers of 1024 characters or
     * more; this bound does not rely on that.)
     */
    static final int MAX_NUMBER_CHARS = 256;

    private JsonNumbers() {
    }

    /** The number {@code text} stands for; {@code text} is a valid JSON number (the reader checked). */
    static Object of(String text) {
        if (text.length() > MAX_NUMBER_CHARS) {
            return new NotIndexable("a number written with " + text.length() + " characters");
        }
        if (isPlainWholeNumber(text)) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException outsideLongRange) {
                // falls through to the exact value
            }
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException exponentOutOfRange) {
            return new NotIndexable("a number with an exponent out of range: " + text);
        }
    }

    private static boolean isPlainWholeNumber(String text) {
        int start = text.charAt(0) == '-' ? 1 : 0;
        if (text.length() - start > 19) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}

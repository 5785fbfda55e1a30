package earthwo.api.indexes;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.util.Locale;

/**
 * The type an index stores its values as. Index entries are ordered by their value in this type,
 * so a range query over a {@link #LONG} index finds {@code 9} before {@code 10}, where text order
 * would not.
 */
public enum IndexType {
    /** Unicode text, ordered by code point. */
    STRING,
    /** A signed 64-bit whole number. */
    LONG,
    /** A finite IEEE 754 double; {@code -0.0} is the same value as {@code 0.0}. */
    DOUBLE;

    /**
     * The type of a user's name for it, in any case ({@code long}, {@code LONG}).
     *
     * @throws EarthwoException {@link ErrorCode#BAD_REQUEST} naming the allowed types, for any
     *         other name (or null)
     */
    public static IndexType parse(String name) {
        if (name != null) {
            String upper = name.toUpperCase(Locale.ROOT);
            for (IndexType t : values()) {
                if (t.name().equals(upper)) {
                    return t;
                }
            }
        }
        throw new EarthwoException(ErrorCode.BAD_REQUEST,
                "unknown index type '" + name + "': use string, long or double");
    }
}

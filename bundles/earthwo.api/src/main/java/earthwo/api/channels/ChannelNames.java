package earthwo.api.channels;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.nio.charset.StandardCharsets;

/**
 * What a channel name and a pattern may be. Both are non-empty, at most {@value #MAX_BYTES} bytes
 * of UTF-8, without whitespace or control characters. A name has no {@code *}, so a name never
 * reads as a pattern; a pattern follows {@link ChannelPattern}. Names conventionally use dots
 * between their parts ({@code orders.eu.created}) because patterns match part by part.
 */
public final class ChannelNames {

    /** Longest name or pattern, in UTF-8 bytes. */
    public static final int MAX_BYTES = 1024;

    private ChannelNames() {
    }

    /** Throws BAD_REQUEST (TOO_LARGE when too long) unless {@code name} is a valid channel name. */
    public static void checkName(String name) {
        checkText("channel name", name);
        if (name.indexOf('*') >= 0) {
            throw bad("channel name '" + name + "' has a '*': only a pattern may");
        }
    }

    /** Throws BAD_REQUEST (TOO_LARGE when too long) unless {@code pattern} is a valid pattern. */
    public static void checkPattern(String pattern) {
        ChannelPattern.compile(pattern);
    }

    static void checkText(String what, String text) {
        if (text == null || text.isEmpty()) {
            throw bad(what + " must not be empty");
        }
        if (text.length() > MAX_BYTES || text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new EarthwoException(ErrorCode.TOO_LARGE, what + " is longer than " + MAX_BYTES + " bytes");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                throw bad(what + " '" + text + "' has whitespace or a control character at " + i);
            }
        }
    }

    static EarthwoException bad(String message) {
        return new EarthwoException(ErrorCode.BAD_REQUEST, message);
    }
}

package earthwo.api.channels;

import java.util.Arrays;
import java.util.Objects;

/**
 * A channel pattern, matched part by part over dot-separated names: {@code *} matches any
 * characters within one part (no {@code .}), {@code **} matches any characters across parts
 * (dots included, also none). Everything else matches itself. So {@code orders.*} matches
 * {@code orders.eu} but not {@code orders.eu.created}; {@code orders.**} matches both (and
 * {@code orders.}); {@code **} matches every channel; {@code *.created} matches
 * {@code eu.created}. Three or more {@code *} in a row are refused. There is no escape and no
 * {@code ?}: channel names cannot contain {@code *}.
 *
 * <p>Matching takes time proportional to the pattern's length times the name's, whatever the
 * pattern: no backtracking blow-up for hostile patterns.
 */
public final class ChannelPattern {

    /** A token: a character of the name, or one of the two wildcards. */
    private static final int ONE_PART = -1;
    private static final int ANY = -2;

    private final String text;
    private final int[] tokens;
    private final boolean literal;

    private ChannelPattern(String text, int[] tokens) {
        this.text = text;
        this.tokens = tokens;
        this.literal = Arrays.stream(tokens).allMatch(t -> t >= 0);
    }

    /** Parses a pattern; BAD_REQUEST (TOO_LARGE when too long) if it is not valid. */
    public static ChannelPattern compile(String pattern) {
        ChannelNames.checkText("channel pattern", pattern);
        int[] tokens = new int[pattern.length()];
        int n = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '*') {
                tokens[n++] = c;
                continue;
            }
            int run = 1;
            while (i + run < pattern.length() && pattern.charAt(i + run) == '*') {
                run++;
            }
            if (run > 2) {
                throw ChannelNames.bad("channel pattern '" + pattern + "' has " + run + " '*' in a row at " + i
                        + ": use '*' (within a part) or '**' (across parts)");
            }
            tokens[n++] = run == 1 ? ONE_PART : ANY;
            i += run - 1;
        }
        return new ChannelPattern(pattern, Arrays.copyOf(tokens, n));
    }

    /** The pattern as given. */
    public String text() {
        return text;
    }

    /** True if the pattern has no wildcard: it matches only the channel of the same name. */
    public boolean isLiteral() {
        return literal;
    }

    /** True if the channel name matches the whole pattern. */
    public boolean matches(String channel) {
        int n = channel.length();
        // reach[i]: the tokens read so far match the first i characters of the name.
        boolean[] reach = new boolean[n + 1];
        boolean[] next = new boolean[n + 1];
        reach[0] = true;
        for (int t : tokens) {
            Arrays.fill(next, false);
            if (t == ANY || t == ONE_PART) {
                boolean open = false;
                for (int i = 0; i <= n; i++) {
                    open |= reach[i];
                    next[i] = open;
                    if (t == ONE_PART && i < n && channel.charAt(i) == '.') {
                        open = false; // '*' stays within a part: it cannot take the dot
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    next[i + 1] = reach[i] && channel.charAt(i) == t;
                }
            }
            if (!hasAny(next)) {
                return false;
            }
            boolean[] swap = reach;
            reach = next;
            next = swap;
        }
        return reach[n];
    }

    private static boolean hasAny(boolean[] a) {
        for (boolean b : a) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelPattern p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }

    @Override
    public String toString() {
        return text;
    }
}

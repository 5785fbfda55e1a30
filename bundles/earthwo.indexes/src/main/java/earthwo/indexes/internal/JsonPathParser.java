package earthwo.indexes.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the subset of JSONPath the {@code json} scheme serves: {@code $} (the whole value), then
 * any number of {@code .name}, {@code ['name']} or {@code ["name"]} (with backslash escapes as in
 * JSON strings, for names with spaces, dots or quotes), {@code [N]} and {@code [*]} / {@code .*}.
 * Everything else (filters, slices, unions, negative indexes, {@code ..}, spaces) is refused with
 * the position (counted from 0) of the first character that cannot be read, so a user sees at
 * once what to fix.
 */
final class JsonPathParser {

    private final String expression;
    private int pos;

    private JsonPathParser(String expression) {
        this.expression = expression;
    }

    /**
     * The steps of {@code expression} after its {@code $}; an empty list selects the whole value.
     *
     * @throws IllegalArgumentException for anything outside the subset, naming the position
     */
    static List<JsonPathStep> parse(String expression) {
        return new JsonPathParser(expression).steps();
    }

    private List<JsonPathStep> steps() {
        if (expression.isEmpty()) {
            throw new IllegalArgumentException("empty JSONPath: write one starting with $, for instance $.email");
        }
        if (expression.charAt(0) != '$') {
            throw error(0, "a JSONPath starts with '$' (for instance $.email), " + found(0));
        }
        pos = 1;
        List<JsonPathStep> steps = new ArrayList<>();
        while (pos < expression.length()) {
            char c = expression.charAt(pos);
            if (c == '.') {
                pos++;
                steps.add(afterDot());
            } else if (c == '[') {
                pos++;
                steps.add(inBrackets());
            } else {
                throw error(pos, "expected '.' or '[', " + found(pos));
            }
        }
        return List.copyOf(steps);
    }

    private JsonPathStep afterDot() {
        if (atEnd()) {
            throw error(pos, "expected a member name or '*' after '.', " + found(pos));
        }
        char c = expression.charAt(pos);
        if (c == '.') {
            throw error(pos - 1, "'..' (descent into every level) is not supported");
        }
        if (c == '*') {
            pos++;
            return new JsonPathStep.Wildcard();
        }
        int start = pos;
        while (!atEnd() && isNameCodePoint(expression.codePointAt(pos))) {
            pos += Character.charCount(expression.codePointAt(pos));
        }
        if (pos == start) {
            throw error(pos, "expected a member name or '*' after '.', " + found(pos)
                    + " (a name with other characters is written ['name'])");
        }
        return new JsonPathStep.Member(expression.substring(start, pos));
    }

    /** Letters and digits of any script, '_', '-' and '$': the names that need no quotes. */
    private static boolean isNameCodePoint(int cp) {
        return Character.isLetterOrDigit(cp) || cp == '_' || cp == '-' || cp == '$';
    }

    private JsonPathStep inBrackets() {
        if (atEnd()) {
            throw error(pos, "expected an index, '*' or a quoted name after '[', " + found(pos));
        }
        char c = expression.charAt(pos);
        JsonPathStep step;
        if (c == '*') {
            pos++;
            step = new JsonPathStep.Wildcard();
        } else if (c == '\'' || c == '"') {
            step = new JsonPathStep.Member(quotedName(c));
        } else if (c >= '0' && c <= '9') {
            step = new JsonPathStep.Element(index());
        } else if (c == '-') {
            throw error(pos, "negative array indexes are not supported (indexes count from 0 at the start)");
        } else {
            throw error(pos, "expected an index, '*' or a quoted name after '[', " + found(pos));
        }
        if (atEnd() || expression.charAt(pos) != ']') {
            throw error(pos, "expected ']', " + found(pos));
        }
        pos++;
        return step;
    }

    private String quotedName(char quote) {
        int start = pos;
        pos++;
        StringBuilder name = new StringBuilder();
        while (true) {
            if (atEnd()) {
                throw error(start, "the quoted name that starts here is not closed with " + quote);
            }
            char c = expression.charAt(pos);
            if (c == quote) {
                pos++;
                return name.toString();
            }
            if (c == '\\') {
                name.append(escaped());
            } else {
                name.append(c);
                pos++;
            }
        }
    }

    /** The character a backslash escape at {@code pos} stands for, as in a JSON string (plus \'). */
    private char escaped() {
        int start = pos;
        pos++;
        if (atEnd()) {
            throw error(start, "a backslash must be followed by an escaped character");
        }
        char c = expression.charAt(pos++);
        switch (c) {
            case '\\': case '\'': case '"': case '/':
                return c;
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                return unicodeEscape(start);
            default:
                throw error(start, "unknown escape '\\" + c + "'");
        }
    }

    private char unicodeEscape(int start) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = atEnd() ? -1 : hexDigit(expression.charAt(pos));
            if (digit < 0) {
                throw error(start, "\\u must be followed by 4 hex digits");
            }
            value = value * 16 + digit;
            pos++;
        }
        return (char) value;
    }

    /** The value of an ASCII hex digit, or -1 ({@link Character#digit} would take other scripts' digits too). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private int index() {
        int start = pos;
        long value = 0;
        while (!atEnd() && expression.charAt(pos) >= '0' && expression.charAt(pos) <= '9') {
            value = value * 10 + (expression.charAt(pos) - '0');
            if (value > Integer.MAX_VALUE) {
                throw error(start, "array index is larger than " + Integer.MAX_VALUE);
            }
            pos++;
        }
        return (int) value;
    }

    private boolean atEnd() {
        return pos >= expression.length();
    }

    private String found(int at) {
        return at < expression.length()
                ? "found '" + new String(Character.toChars(expression.codePointAt(at))) + "'"
                : "found the end";
    }

    private IllegalArgumentException error(int at, String what) {
        return new IllegalArgumentException("JSONPath '" + expression + "', position " + at + ": " + what);
    }
}

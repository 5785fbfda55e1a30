package earthwo.shell.internal;

/** Rendering helpers shared by the commands: one-line escaping and Gogo quoting. */
final class Text {

    private Text() {
    }

    /**
     * Escapes {@code s} so it fits on one tab-separated line: backslash, tab, CR, LF become a
     * backslash followed by backslash, t, r, n; other control characters become a backslash, u and
     * four hex digits (as in Java source).
     */
    static String escapeLine(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : null;
            };
            if (rep != null && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (rep != null) {
                    sb.append(rep);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** At most {@code maxChars} characters of {@code s}; longer text ends with "…(N bytes)". */
    static String cut(String s, int maxChars, int byteLength) {
        return s.length() <= maxChars ? s : s.substring(0, maxChars) + "…(" + byteLength + " bytes)";
    }

    /**
     * Quotes a word for a Gogo command line so that it reaches the command unchanged: single
     * quotes (Gogo expands nothing inside them) unless the word itself holds one.
     */
    static String gogoQuote(String s) {
        if (s.indexOf('\'') < 0) {
            return "'" + s + "'";
        }
        StringBuilder sb = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c == '$') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}

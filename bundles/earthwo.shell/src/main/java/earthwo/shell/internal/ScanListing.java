package earthwo.shell.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.ScanPage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of {@code kv:scan}: one page of keys and values, plus the key to continue after.
 *
 * <p>It is a {@link CharSequence} so that Gogo prints it as the listing (Gogo's
 * {@code format} returns a CharSequence as it is), while a Gogo script or Java caller can still
 * use {@link #entries()}, {@link #more()} and {@link #next()}. The listing has one
 * {@code key<TAB>value} line per record, keys and values as UTF-8 with backslash, tab, CR, LF
 * and control characters escaped ({@link Text#escapeLine}) and values longer than
 * {@link #MAX_VALUE_CHARS} cut; when more keys follow, a last line without a tab:
 * {@code # more: kv:scan --limit N --after 'KEY' 'PREFIX'}.
 */
public final class ScanListing implements CharSequence {

    /** Longest value shown in the listing; {@link #entries()} keeps whole values. */
    static final int MAX_VALUE_CHARS = 1000;

    private final Map<String, String> entries;
    private final String next;
    private final String text;

    ScanListing(String prefix, int limit, ScanPage page) {
        Map<String, String> m = new LinkedHashMap<>();
        StringBuilder sb = new StringBuilder();
        for (Record r : page.records()) {
            String key = Keys.string(r.key());
            String value = Keys.string(r.value());
            m.put(key, value);
            sb.append(Text.escapeLine(key)).append('\t')
                    .append(Text.escapeLine(Text.cut(value, MAX_VALUE_CHARS, r.value().length))).append('\n');
        }
        this.entries = Collections.unmodifiableMap(m);
        this.next = page.hasMore() ? Keys.string(page.continuation()) : null;
        if (next != null) {
            sb.append("# more: kv:scan --limit ").append(limit)
                    .append(" --after ").append(Text.gogoQuote(next))
                    .append(' ').append(Text.gogoQuote(prefix)).append('\n');
        }
        this.text = sb.toString();
    }

    /** Keys and whole values of this page, in key order (UTF-8). */
    public Map<String, String> entries() {
        return entries;
    }

    /** True when more keys may follow this page. */
    public boolean more() {
        return next != null;
    }

    /** The key to pass as {@code --after} for the next page, or null when this is the last. */
    public String next() {
        return next;
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public char charAt(int index) {
        return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.subSequence(start, end);
    }

    @Override
    public String toString() {
        return text;
    }
}

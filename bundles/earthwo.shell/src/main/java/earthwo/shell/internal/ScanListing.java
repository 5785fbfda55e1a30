package earthwo.shell.internal;

import earthwo.api.Expiry;
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
 * {@link #MAX_VALUE_CHARS} cut ({@link #withTtl} adds a tab and the milliseconds left, -1 for no
 * expiry); when more keys follow, a last line without a tab:
 * {@code # more: kv:scan --limit N [--with-ttl] --after 'KEY' 'PREFIX'}.
 */
public final class ScanListing implements CharSequence {

    /** Longest value shown in the listing; {@link #entries()} keeps whole values. */
    static final int MAX_VALUE_CHARS = 1000;

    private final Map<String, String> entries;
    private final String next;
    private final String text;

    ScanListing(String prefix, int limit, ScanPage page) {
        this(prefix, limit, page, false, 0);
    }

    /** A listing with a third column: the milliseconds each key has left at {@code nowMillis}. */
    static ScanListing withTtl(String prefix, int limit, ScanPage page, long nowMillis) {
        return new ScanListing(prefix, limit, page, true, nowMillis);
    }

    private ScanListing(String prefix, int limit, ScanPage page, boolean withTtl, long nowMillis) {
        Map<String, String> m = new LinkedHashMap<>();
        StringBuilder sb = new StringBuilder();
        for (Record r : page.records()) {
            String key = Keys.string(r.key());
            String value = Keys.string(r.value());
            m.put(key, value);
            sb.append(Text.escapeLine(key)).append('\t')
                    .append(Text.escapeLine(Text.cut(value, MAX_VALUE_CHARS, r.value().length)));
            if (withTtl) {
                sb.append('\t').append(remainingMillis(r, nowMillis));
            }
            sb.append('\n');
        }
        this.entries = Collections.unmodifiableMap(m);
        this.next = page.hasMore() ? Keys.string(page.continuation()) : null;
        if (next != null) {
            sb.append("# more: kv:scan --limit ").append(limit)
                    .append(withTtl ? " --with-ttl" : "")
                    .append(" --after ").append(Text.gogoQuote(next))
                    .append(' ').append(Text.gogoQuote(prefix)).append('\n');
        }
        this.text = sb.toString();
    }

    /**
     * Milliseconds a scanned record has left, -1 without expiry. The scan found it live, so one
     * whose expiry passed since shows 0 rather than -2 (absent).
     */
    static long remainingMillis(Record r, long nowMillis) {
        return r.expiresAt() == Record.NEVER ? Expiry.TTL_NONE : Math.max(0, r.expiresAt() - nowMillis);
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

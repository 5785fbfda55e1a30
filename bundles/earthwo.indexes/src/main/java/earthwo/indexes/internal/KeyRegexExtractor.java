package earthwo.indexes.internal;

import earthwo.api.indexes.IndexExtractor;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code key} scheme: a Java regular expression over the record's key, such as
 * {@code key:^([^:]+):} for the tenant part of {@code acme:user:42}. The key is decoded as UTF-8
 * (a malformed sequence becomes U+FFFD) and searched from its start ({@link Matcher#find()}, so
 * the pattern need not match the whole key); the value is group 1 when the pattern has groups,
 * else the whole match. No match, or a group 1 that took no part in the match, indexes nothing.
 * The value of the record is not read.
 */
final class KeyRegexExtractor implements IndexExtractor {

    static final String SCHEME = "key";

    /**
     * The longest pattern, in UTF-8 bytes: keys are at most 1 KiB, and a pattern runs in every
     * write, so a longer one is a mistake or a cost nobody wants.
     */
    static final int MAX_PATTERN_BYTES = 1024;

    @Override
    public Extraction compile(String expression) {
        int bytes = expression.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATTERN_BYTES) {
            throw new IllegalArgumentException("key pattern of " + bytes + " bytes is over the limit of "
                    + MAX_PATTERN_BYTES);
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(expression);
        } catch (PatternSyntaxException e) {
            String where = e.getIndex() >= 0 ? " at position " + e.getIndex() : "";
            throw new IllegalArgumentException("bad key pattern: " + e.getDescription() + where
                    + " in '" + expression + "'", e);
        }
        return new KeyPattern(pattern);
    }

    /** Thread-safe: a {@link Pattern} is, and each call makes its own {@link Matcher}. */
    private static final class KeyPattern implements Extraction {

        private final Pattern pattern;
        private final boolean takesGroup;

        KeyPattern(Pattern pattern) {
            this.pattern = pattern;
            this.takesGroup = pattern.matcher("").groupCount() > 0;
        }

        @Override
        public void extract(byte[] key, byte[] value, Consumer<Object> sink) {
            Matcher m = pattern.matcher(new String(key, StandardCharsets.UTF_8));
            if (!m.find()) {
                return;
            }
            String found = takesGroup ? m.group(1) : m.group();
            if (found != null) {
                sink.accept(found);
            }
        }

        @Override
        public String toString() {
            return SCHEME + ":" + pattern.pattern();
        }
    }
}

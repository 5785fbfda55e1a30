package earthwo.indexes.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The extractor of an index as a user writes it: {@code SCHEME:EXPRESSION}, such as
 * {@code json:$.email} or {@code key:^([^:]+):}. The scheme names the
 * {@link earthwo.api.indexes.IndexExtractor} that compiles the expression; the expression is
 * everything after the first colon (a scheme has no colon, an expression may).
 */
record ExtractorSpec(String scheme, String expression) {

    /**
     * The longest spec, in UTF-8 bytes. A spec is kept in the cluster's configuration and shown
     * in every listing of indexes; a longer one is a mistake, not an index.
     */
    static final int MAX_SPEC_BYTES = 1024;

    /** What a scheme may look like: also the rule for {@link earthwo.api.indexes.IndexExtractor#SCHEME}. */
    static final String SCHEME_SYNTAX = "[a-z][a-z0-9_-]{0,31}";

    private static final Pattern SCHEME_PATTERN = Pattern.compile(SCHEME_SYNTAX);

    /** True when {@code scheme} is a valid scheme name, for checking an extractor service's property too. */
    static boolean isValidScheme(String scheme) {
        return scheme != null && SCHEME_PATTERN.matcher(scheme).matches();
    }

    /**
     * Splits a user's spec.
     *
     * @throws EarthwoException {@link ErrorCode#BAD_REQUEST}: no spec, a spec over
     *         {@link #MAX_SPEC_BYTES}, no colon, a bad scheme, or an empty expression
     */
    static ExtractorSpec parse(String spec) {
        if (spec == null || spec.isEmpty()) {
            throw badRequest("an extractor is required, written SCHEME:EXPRESSION (for instance json:$.email)");
        }
        int bytes = spec.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SPEC_BYTES) {
            throw badRequest("extractor spec of " + bytes + " bytes is over the limit of " + MAX_SPEC_BYTES);
        }
        int colon = spec.indexOf(':');
        if (colon < 0) {
            throw badRequest("extractor spec '" + spec + "' has no scheme: write SCHEME:EXPRESSION"
                    + " (for instance json:$.email)");
        }
        String scheme = spec.substring(0, colon);
        if (!isValidScheme(scheme)) {
            throw badRequest("extractor scheme '" + scheme + "' in '" + spec + "' is not a valid scheme: it must match "
                    + SCHEME_SYNTAX + " (lower-case letter first)");
        }
        String expression = spec.substring(colon + 1);
        if (expression.isEmpty()) {
            throw badRequest("extractor spec '" + spec + "' has an empty expression after '" + scheme + ":'");
        }
        return new ExtractorSpec(scheme, expression);
    }

    /** The spec as the user wrote it, which {@link #parse} reads back to an equal spec. */
    @Override
    public String toString() {
        return scheme + ":" + expression;
    }

    private static EarthwoException badRequest(String message) {
        return new EarthwoException(ErrorCode.BAD_REQUEST, message);
    }
}

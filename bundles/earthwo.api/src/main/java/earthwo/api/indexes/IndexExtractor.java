package earthwo.api.indexes;

import org.osgi.annotation.versioning.ConsumerType;

import java.util.function.Consumer;

/**
 * A scheme of extractor specs: turns the expression of a spec such as {@code json:$.email} (scheme
 * {@code json}, expression {@code $.email}) into an {@link Extraction} that finds the values a
 * record is indexed under. Whiteboard: any bundle registers a service of this type with the
 * {@link #SCHEME} property; dropping its jar into a node's {@code deploy/} is enough.
 *
 * <p>An index is defined once for the whole cluster and every replica extracts its entries
 * itself, so an extraction must depend on nothing but the record: the same record gives the same
 * values on every node, now and after a restart.
 */
@ConsumerType
public interface IndexExtractor {

    /**
     * Service property, String (required): the scheme this service serves, matching
     * {@code [a-z][a-z0-9_-]{0,31}}, unique on a node.
     */
    String SCHEME = "earthwo.index.scheme";

    /**
     * Compiles an expression once, when an index is defined or the node starts, so that extracting
     * from each record costs no parsing of the expression.
     *
     * @param expression the part of the spec after the first colon; never empty
     * @throws IllegalArgumentException for a malformed expression, with a message saying what is
     *         wrong and where (for instance a character position), shown to the user who defined
     *         the index
     */
    Extraction compile(String expression);

    /**
     * A compiled expression. It runs inside every write of the cluster: it must be thread-safe
     * (one instance serves all writes at once) and cheap.
     */
    @ConsumerType
    interface Extraction {

        /**
         * Gives {@code sink} each value the record is indexed under, once per value, in any order:
         * a {@link String}, a {@link Number} ({@link Long}, {@link Double},
         * {@link java.math.BigDecimal}, …) or a {@link Boolean}; the index's type decides which it
         * takes. Not calling it at all (nothing to index, such as a missing field) is normal; a
         * null is ignored. Any other object stands for something found that cannot be indexed
         * (such as a JSON object where a field was expected): it is counted as a type mismatch,
         * as is a value the index's type does not take; its {@code toString()} may appear in the
         * node's log.
         *
         * @param key the record's key, never null; must not be modified
         * @param value the record's value, never null; must not be modified
         * @throws RuntimeException for a record it cannot read (such as a value that is not the
         *         expected format): the record is not indexed under this index (values already
         *         given to the sink are dropped), the node counts and logs it, and the write
         *         succeeds all the same
         */
        void extract(byte[] key, byte[] value, Consumer<Object> sink);
    }
}

package earthwo.indexes.internal;

import earthwo.api.indexes.IndexType;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Turns what an extraction found in one record into the encoded values the record is indexed
 * under, with the limits that keep one record from costing an index much: a {@link Collector} is
 * the sink of one extraction, and its {@link Result} says what to store and what to count.
 */
final class IndexValues {

    /**
     * The most distinct values one record has in one index. A record with more (a huge tags
     * array) is not indexed in that index at all: every entry is written in the record's write
     * transaction, and a partial set would answer queries as if the others were not there.
     */
    static final int MAX_VALUES_PER_RECORD = 64;

    /**
     * The longest encoded value, in bytes, with a STRING's escapes and end marker. A longer value
     * is refused (and counted), not truncated: a truncated value would match an exact query for
     * the truncated text, and two values sharing the first 512 bytes would become one, so results
     * would no longer be exact. It also keeps an entry (value, then a key of at most 1 KiB) small
     * in JE's B-tree.
     */
    static final int MAX_ENCODED_BYTES = 512;

    private IndexValues() {
    }

    /** A sink for one extraction of one record into an index of {@code type}. */
    static Collector collector(IndexType type) {
        return new Collector(type);
    }

    /** The result for a list of extracted objects, as if an extraction had passed them one by one. */
    static Result of(IndexType type, List<?> extracted) {
        Collector c = collector(type);
        extracted.forEach(c);
        return c.result();
    }

    /**
     * What to do with one record in one index.
     *
     * @param values the distinct encoded values to index the record under, in ascending unsigned
     *        byte order (the order of the index); empty when there is nothing to index or
     *        {@link #tooManyValues}
     * @param typeMismatches extracted objects the index's type does not take (see
     *        {@link IndexValueCoercion}), and things an extraction reported as not indexable
     * @param oversize values whose encoding is over {@link #MAX_ENCODED_BYTES}
     * @param tooManyValues true when the record had more than {@link #MAX_VALUES_PER_RECORD}
     *        distinct values: it is not indexed in this index, and the objects after the limit
     *        was passed were not looked at (nor counted)
     */
    record Result(List<byte[]> values, int typeMismatches, int oversize, boolean tooManyValues) {

        /** True when every extracted object became a value. */
        boolean complete() {
            return typeMismatches == 0 && oversize == 0 && !tooManyValues;
        }
    }

    /** Not thread-safe: one per extraction, on the writing thread. */
    static final class Collector implements Consumer<Object> {

        private final IndexType type;
        private final TreeSet<byte[]> values = new TreeSet<>(Arrays::compareUnsigned);
        private int typeMismatches;
        private int oversize;
        private boolean tooMany;

        private Collector(IndexType type) {
            this.type = type;
        }

        @Override
        public void accept(Object extracted) {
            if (extracted == null || tooMany) {
                return;
            }
            Object value = IndexValueCoercion.coerce(type, extracted);
            if (value == null) {
                typeMismatches++;
                return;
            }
            byte[] encoded;
            if (value instanceof String s) {
                int length = IndexKeyCodec.encodedLength(s);
                if (length < 0) {
                    typeMismatches++; // an unpaired surrogate, which only a \\u escape in JSON can spell
                    return;
                }
                if (length > MAX_ENCODED_BYTES) {
                    oversize++;
                    return;
                }
                encoded = IndexKeyCodec.encodeString(s);
            } else {
                encoded = IndexKeyCodec.encode(type, value);
            }
            values.add(encoded);
            if (values.size() > MAX_VALUES_PER_RECORD) {
                tooMany = true;
                values.clear();
            }
        }

        Result result() {
            return new Result(List.copyOf(values), typeMismatches, oversize, tooMany);
        }
    }
}

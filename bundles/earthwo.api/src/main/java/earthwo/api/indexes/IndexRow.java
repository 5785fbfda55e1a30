package earthwo.api.indexes;

import earthwo.api.Record;

import java.util.Objects;

/**
 * One row of an index query: the record's key, the value it is indexed under (as text: a number
 * index shows numbers), and the record itself (value, version, expiry), or null for a query of
 * keys only. A record indexed under several values of a multi-valued index has a row for each
 * value the query matches.
 */
public record IndexRow(byte[] key, String indexValue, Record record) {

    public IndexRow {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(indexValue, "indexValue");
    }
}

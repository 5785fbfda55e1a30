package earthwo.indexes.internal;

import earthwo.api.Record;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What one node answers for the segments it was asked about: rows in (entry, key) order, and
 * whether it has more after the last one (its rows were cut by the limit or the byte budget).
 */
record NodeRows(List<Row> rows, boolean more) {

    /** One row: the stored entry (index id, encoded value), the key, and the record (null: keys only). */
    record Row(byte[] entry, byte[] key, Record record) {

        /** Order of the stored bytes: entry, then key (an entry delimits itself). */
        static final Comparator<Row> ORDER = (a, b) -> {
            int c = Arrays.compareUnsigned(a.entry, b.entry);
            return c != 0 ? c : Arrays.compareUnsigned(a.key, b.key);
        };

        int bytes() {
            return entry.length + key.length + (record == null ? 0 : record.value().length + 32);
        }
    }
}

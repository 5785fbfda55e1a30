package earthwo.storage.internal;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Get;
import com.sleepycat.je.OperationResult;

import java.util.Arrays;

/** The bytes of JE's entries and the cursor positioning that reads, scans and the warm-up share. */
final class JeEntries {

    private JeEntries() {
    }

    /** The entry's bytes: its array itself when the entry covers all of it, else a copy of its part. */
    static byte[] bytes(DatabaseEntry e) {
        byte[] d = e.getData();
        if (d == null) {
            return new byte[0];
        }
        return e.getOffset() == 0 && e.getSize() == d.length ? d : Arrays.copyOfRange(d, e.getOffset(), e.getOffset() + e.getSize());
    }

    /**
     * Moves the cursor to the first key at or after {@code from} (the segment's first key when
     * {@code from} is empty), reading its data into {@code data} (null: key only).
     */
    static OperationResult seek(Cursor cursor, DatabaseEntry key, DatabaseEntry data, byte[] from) {
        if (from.length == 0) {
            return cursor.get(key, data, Get.FIRST, null);
        }
        key.setData(from);
        return cursor.get(key, data, Get.SEARCH_GTE, null);
    }
}

package earthwo.storage.internal;

import static earthwo.storage.internal.JeEntries.bytes;

import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;

import earthwo.api.Record;
import earthwo.api.storage.ExpiryEntry;
import earthwo.api.storage.ExpiryIndexCheck;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares one segment's expiry index with its records ({@link ExpiryIndexCheck}).
 */
final class ExpiryIndexVerifier {

    static final int EXAMPLES = 10;

    private ExpiryIndexVerifier() {
    }

    /**
     * Walks the index, looking up each entry's record, then the records, looking up the entry of
     * each one with an expiry. Point lookups instead of a merge of two sorted walks (the orders
     * differ), so memory stays constant however large the segment.
     */
    static ExpiryIndexCheck of(int segment, Database records, Database index) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry header = headerOnly();
        DatabaseEntry none = new DatabaseEntry();
        none.setPartial(0, 0, true);
        long entries = 0;
        long extra = 0;
        List<ExpiryEntry> extraExamples = new ArrayList<>();
        try (Cursor cursor = index.openCursor(null, CursorConfig.READ_COMMITTED)) {
            while (cursor.getNext(key, none, null) == OperationStatus.SUCCESS) {
                entries++;
                ExpiryEntry e = ExpiryIndex.entry(bytes(key));
                boolean found = records.get(null, new DatabaseEntry(e.key()), header, LockMode.READ_COMMITTED) == OperationStatus.SUCCESS;
                if (!found || RecordCodec.decodeExpiresAt(e.key(), bytes(header)) != e.expiresAt()) {
                    extra++;
                    addExample(extraExamples, e);
                }
            }
        }
        long withExpiry = 0;
        long missing = 0;
        List<ExpiryEntry> missingExamples = new ArrayList<>();
        try (Cursor cursor = records.openCursor(null, CursorConfig.READ_COMMITTED)) {
            while (cursor.getNext(key, header, null) == OperationStatus.SUCCESS) {
                byte[] k = bytes(key);
                long expiresAt = RecordCodec.decodeExpiresAt(k, bytes(header));
                if (expiresAt == Record.NEVER) {
                    continue;
                }
                withExpiry++;
                DatabaseEntry entryKey = new DatabaseEntry(ExpiryIndex.indexKey(expiresAt, k));
                if (index.get(null, entryKey, none, LockMode.READ_COMMITTED) != OperationStatus.SUCCESS) {
                    missing++;
                    addExample(missingExamples, new ExpiryEntry(expiresAt, k));
                }
            }
        }
        return new ExpiryIndexCheck(segment, entries, withExpiry, missing, extra, missingExamples, extraExamples);
    }

    private static DatabaseEntry headerOnly() {
        DatabaseEntry header = new DatabaseEntry();
        header.setPartial(0, RecordCodec.HEADER_BYTES, true); // the expiry is in the header
        return header;
    }

    private static void addExample(List<ExpiryEntry> examples, ExpiryEntry e) {
        if (examples.size() < EXAMPLES) {
            examples.add(e);
        }
    }
}

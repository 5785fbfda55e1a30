package earthwo.api;

import java.util.List;

/**
 * One page of a scan: live records in key order and, when more may follow, the key to pass as
 * {@code startAfter} to get the next page.
 */
public final class ScanPage {

    private final List<Record> records;
    private final byte[] continuation;

    public ScanPage(List<Record> records, byte[] continuation) {
        this.records = List.copyOf(records);
        this.continuation = continuation;
    }

    public List<Record> records() {
        return records;
    }

    /** The last key of this page when there may be more, else null. */
    public byte[] continuation() {
        return continuation;
    }

    public boolean hasMore() {
        return continuation != null;
    }
}

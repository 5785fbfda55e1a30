package earthwo.replication.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.storage.SegmentStore;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A prefix scan across many segments in global key order. Keys of one prefix fall into every
 * segment, so each segment is read lazily in small pages and the pages are merged with a heap;
 * only about {@code limit} records per segment that reaches the front are ever read.
 */
final class MergedScan {

    private final SegmentStore store;
    private final byte[] prefix;
    private final long now;
    private final int pageSize;

    MergedScan(SegmentStore store, byte[] prefix, long now, int limit) {
        this.store = store;
        this.prefix = prefix;
        this.now = now;
        this.pageSize = Math.max(4, Math.min(limit + 1, 256));
    }

    ScanPage run(List<Integer> segments, byte[] startAfter, int limit) {
        PriorityQueue<Cursor> heap = new PriorityQueue<>((a, b) -> Keys.compare(a.head().key(), b.head().key()));
        for (int segment : segments) {
            Cursor c = new Cursor(segment, startAfter);
            if (c.advance()) {
                heap.add(c);
            }
        }
        List<Record> out = new ArrayList<>(Math.min(limit, 1024));
        while (!heap.isEmpty() && out.size() < limit) {
            Cursor c = heap.poll();
            out.add(c.head());
            if (c.advance()) {
                heap.add(c);
            }
        }
        boolean more = !heap.isEmpty();
        byte[] continuation = more && !out.isEmpty() ? out.get(out.size() - 1).key() : null;
        return new ScanPage(out, continuation);
    }

    /** Live records of one segment, read page by page, skipping tombstones and expired keys. */
    private final class Cursor {
        private final int segment;
        private byte[] after;
        private Iterator<Record> page = java.util.Collections.emptyIterator();
        private boolean exhausted;
        private Record head;

        Cursor(int segment, byte[] startAfter) {
            this.segment = segment;
            this.after = startAfter;
        }

        Record head() {
            return head;
        }

        /** Moves to the next live record; false when the segment has no more. */
        boolean advance() {
            while (true) {
                while (page.hasNext()) {
                    Record r = page.next();
                    after = r.key();
                    if (r.isLiveAt(now)) {
                        head = r;
                        return true;
                    }
                }
                if (exhausted) {
                    head = null;
                    return false;
                }
                List<Record> next = store.scan(segment, prefix, after, pageSize);
                exhausted = next.size() < pageSize;
                page = next.iterator();
            }
        }
    }
}

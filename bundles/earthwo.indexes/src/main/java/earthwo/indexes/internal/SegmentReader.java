package earthwo.indexes.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.cluster.ClusterView;
import earthwo.api.storage.IndexEntries;
import earthwo.api.storage.IndexHit;
import earthwo.api.storage.SegmentStore;
import earthwo.indexes.internal.LiveIndex.Phase;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Answers this node's part of a query: the rows of an index in some segments this node serves,
 * within a range of entry bytes. Each entry is checked against the record it names, read after
 * it: an expired record, or one a write changed in between so that it no longer has the entry,
 * gives no row. So a row always shows a record as it is, with the value it is indexed under.
 */
final class SegmentReader {

    /** Bytes of rows one node sends for one query at most; a page stops there, with a cursor. */
    static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;
    /** Entries a segment's cursor reads at a time at most. */
    static final int BATCH = 64;

    private final SegmentStore store;
    private final ClusterView cluster;
    private final IndexCatalog catalog;

    SegmentReader(SegmentStore store, ClusterView cluster, IndexCatalog catalog) {
        this.store = store;
        this.cluster = cluster;
        this.catalog = catalog;
    }

    /**
     * The first rows, in order, across the asked segments: a merge of one cursor per segment, each
     * reading a small batch of entries at a time, so that a query over a large index holds a few
     * entries per segment and the rows it answers, never a segment's whole range.
     */
    NodeRows read(QueryMessages.Ask ask) {
        LiveIndex li = ready(ask.indexId());
        IndexEntries check = catalog.only(li);
        int self = cluster.localNodeId();
        int batch = Math.min(ask.limit() + 1, BATCH);
        PriorityQueue<SegmentCursor> heads = new PriorityQueue<>();
        for (int segment : ask.segments()) {
            if (!cluster.currentMap().isServing(segment, self)) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "node " + self + " does not serve segment " + segment);
            }
            SegmentCursor c = new SegmentCursor(segment, ask.from());
            if (c.advance(store, ask.to(), batch)) {
                heads.add(c);
            }
        }
        List<NodeRows.Row> out = new ArrayList<>();
        int bytes = 0;
        while (!heads.isEmpty()) {
            SegmentCursor c = heads.poll();
            IndexHit h = c.take();
            if (c.advance(store, ask.to(), batch)) {
                heads.add(c);
            }
            NodeRows.Row row = row(c.segment, h, ask, check);
            if (row == null) {
                continue;
            }
            if (out.size() == ask.limit() || (bytes + row.bytes() > MAX_ANSWER_BYTES && !out.isEmpty())) {
                return new NodeRows(out, true);
            }
            out.add(row);
            bytes += row.bytes();
        }
        return new NodeRows(out, false);
    }

    /** The row of an entry, if its record is live and still has that entry (else null). */
    private NodeRows.Row row(int segment, IndexHit h, QueryMessages.Ask ask, IndexEntries check) {
        if (h.isExpiredAt(ask.now())) {
            return null;
        }
        Optional<Record> r = store.read(segment, h.key());
        if (r.isEmpty() || !r.get().isLiveAt(ask.now())
                || !has(check.entriesOf(segment, h.key(), r.get().value()), h.entry())) {
            return null;
        }
        return new NodeRows.Row(h.entry(), h.key(), ask.keysOnly() ? null : r.get());
    }

    /** A segment's entries in order, read a batch at a time; ordered by its next entry. */
    private static final class SegmentCursor implements Comparable<SegmentCursor> {
        final int segment;
        private byte[] from;
        private final ArrayDeque<IndexHit> buffered = new ArrayDeque<>();
        private boolean exhausted;

        SegmentCursor(int segment, byte[] from) {
            this.segment = segment;
            this.from = from;
        }

        /** Makes sure an entry is at hand if the segment has one more; false when it has none. */
        boolean advance(SegmentStore store, byte[] to, int batch) {
            if (buffered.isEmpty() && !exhausted) {
                List<IndexHit> hits = store.indexEntries(segment, from, to, batch);
                buffered.addAll(hits);
                exhausted = hits.size() < batch;
                if (!hits.isEmpty()) {
                    from = after(hits.get(hits.size() - 1));
                }
            }
            return !buffered.isEmpty();
        }

        IndexHit take() {
            return buffered.poll();
        }

        @Override
        public int compareTo(SegmentCursor o) {
            IndexHit a = buffered.peek();
            IndexHit b = o.buffered.peek();
            int c = Arrays.compareUnsigned(a.entry(), b.entry());
            return c != 0 ? c : Arrays.compareUnsigned(a.key(), b.key());
        }
    }

    /** The index, if it is complete on this node; else UNAVAILABLE, so the asker tries another replica. */
    private LiveIndex ready(int id) {
        for (LiveIndex li : catalog.byIdSnapshot()) {
            if (li.definition.id() == id) {
                if (li.phase != Phase.READY || li.extraction == null) {
                    throw new EarthwoException(ErrorCode.UNAVAILABLE, "index '" + li.definition.name() + "' is "
                            + li.state().shown() + " on node " + cluster.localNodeId()
                            + (li.phase == Phase.BUILDING ? " (" + Math.round(li.progress * 100) + "% built)" : "")
                            + (li.reason.isEmpty() ? "" : ": " + li.reason));
                }
                return li;
            }
        }
        throw new EarthwoException(ErrorCode.UNAVAILABLE, "node " + cluster.localNodeId() + " has no index of id " + id
                + " (its definitions are not up to date yet)");
    }

    private static boolean has(List<byte[]> entries, byte[] entry) {
        for (byte[] e : entries) {
            if (Arrays.equals(e, entry)) {
                return true;
            }
        }
        return false;
    }

    /** The least stored bytes after a hit's. */
    private static byte[] after(IndexHit h) {
        byte[] b = new byte[h.entry().length + h.key().length + 1];
        System.arraycopy(h.entry(), 0, b, 0, h.entry().length);
        System.arraycopy(h.key(), 0, b, h.entry().length, h.key().length);
        return b;
    }
}

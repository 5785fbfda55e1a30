package earthwo.indexes.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.cluster.ClusterView;
import earthwo.api.storage.IndexEntries;
import earthwo.api.storage.IndexHit;
import earthwo.api.storage.SegmentStore;
import earthwo.indexes.internal.LiveIndex.Phase;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Answers this node's part of a query: the rows of an index in some segments this node serves,
 * within a range of entry bytes. Each entry is checked against the record it names, read after
 * it: an expired record, or one a write changed in between so that it no longer has the entry,
 * gives no row. So a row always shows a record as it is, with the value it is indexed under.
 */
final class SegmentReader {

    /** Bytes of rows one node sends for one query at most; a page stops there, with a cursor. */
    static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    private final SegmentStore store;
    private final ClusterView cluster;
    private final IndexCatalog catalog;

    SegmentReader(SegmentStore store, ClusterView cluster, IndexCatalog catalog) {
        this.store = store;
        this.cluster = cluster;
        this.catalog = catalog;
    }

    NodeRows read(QueryMessages.Ask ask) {
        LiveIndex li = ready(ask.indexId());
        IndexEntries check = catalog.only(li);
        int self = cluster.localNodeId();
        List<NodeRows.Row> all = new ArrayList<>();
        boolean more = false;
        for (int segment : ask.segments()) {
            if (!cluster.currentMap().isServing(segment, self)) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "node " + self + " does not serve segment " + segment);
            }
            more |= readSegment(segment, ask, check, all);
        }
        all.sort(NodeRows.Row.ORDER);
        List<NodeRows.Row> out = new ArrayList<>();
        int bytes = 0;
        for (NodeRows.Row r : all) {
            if (out.size() == ask.limit() || (bytes + r.bytes() > MAX_ANSWER_BYTES && !out.isEmpty())) {
                more = true;
                break;
            }
            out.add(r);
            bytes += r.bytes();
        }
        return new NodeRows(out, more);
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

    /** Adds up to limit + 1 rows of the segment; true if it stopped at the limit or the byte budget. */
    private boolean readSegment(int segment, QueryMessages.Ask ask, IndexEntries check, List<NodeRows.Row> out) {
        byte[] from = ask.from();
        int found = 0;
        int bytes = 0;
        while (true) {
            List<IndexHit> hits = store.indexEntries(segment, from, ask.to(), ask.limit() + 1);
            for (IndexHit h : hits) {
                from = after(h);
                if (h.isExpiredAt(ask.now())) {
                    continue;
                }
                Optional<Record> r = store.read(segment, h.key());
                if (r.isEmpty() || !r.get().isLiveAt(ask.now()) || !has(check.entriesOf(segment, h.key(),
                        r.get().value()), h.entry())) {
                    continue;
                }
                NodeRows.Row row = new NodeRows.Row(h.entry(), h.key(), ask.keysOnly() ? null : r.get());
                out.add(row);
                found++;
                bytes += row.bytes();
                if (found > ask.limit() || bytes > MAX_ANSWER_BYTES) {
                    return true;
                }
            }
            if (hits.size() <= ask.limit()) {
                return false;
            }
        }
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

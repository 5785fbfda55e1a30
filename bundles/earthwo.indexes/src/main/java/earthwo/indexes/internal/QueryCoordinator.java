package earthwo.indexes.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs a query across the cluster: asks one serving replica of every segment (this node first
 * where it serves, then the master, then the others), one message per node for all its segments,
 * and merges their rows. A node that cannot answer (down, index not ready there) has its segments
 * asked of their next replica; a segment none can answer fails the query with PARTIAL_RESULT
 * naming it, never fewer rows in silence.
 *
 * <p>A page is exact: every node sends its first rows in order and says whether it has more, so
 * rows past the last row of a node that has more might miss some of that node's; the page stops
 * there (and at the limit), and its cursor continues after its last row.
 */
final class QueryCoordinator {

    private final ClusterView cluster;
    private final IndexCatalog catalog;
    private final SegmentReader local;
    private final Supplier<PeerLinks> links;
    private final LongSupplier clock;
    private final Duration timeout;

    QueryCoordinator(ClusterView cluster, IndexCatalog catalog, SegmentReader local, Supplier<PeerLinks> links,
                     LongSupplier clock, Duration timeout) {
        this.cluster = cluster;
        this.catalog = catalog;
        this.local = local;
        this.links = links;
        this.clock = clock;
        this.timeout = timeout;
    }

    IndexPage query(IndexQuery query) {
        IndexDefinition d = catalog.definitions().require(query.index());
        QueryRange range = QueryRange.of(d, query);
        long now = clock.getAsLong();
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        Map<Integer, Deque<Integer>> candidates = new TreeMap<>();
        for (int s = 0; s < map.segmentCount(); s++) {
            candidates.put(s, order(map, s, self));
        }
        List<NodeRows> answers = new ArrayList<>();
        Map<Integer, String> failures = new TreeMap<>();
        while (!candidates.isEmpty()) {
            Map<Integer, List<Integer>> byNode = new LinkedHashMap<>();
            for (Map.Entry<Integer, Deque<Integer>> e : candidates.entrySet()) {
                if (e.getValue().isEmpty()) {
                    continue;
                }
                byNode.computeIfAbsent(e.getValue().peekFirst(), n -> new ArrayList<>()).add(e.getKey());
            }
            if (byNode.isEmpty()) {
                break;
            }
            Map<Integer, CompletableFuture<NodeRows>> asked = new HashMap<>();
            // Other nodes first: their answers come while this node reads its own segments.
            List<Integer> order = new ArrayList<>(byNode.keySet());
            order.sort((a, b) -> Boolean.compare(a == self, b == self));
            for (int node : order) {
                asked.put(node, ask(node, self, new QueryMessages.Ask(d.id(), now, query.keysOnly(), query.limit(),
                        range.from(), range.to(), byNode.get(node))));
            }
            for (Map.Entry<Integer, CompletableFuture<NodeRows>> e : asked.entrySet()) {
                List<Integer> segments = byNode.get(e.getKey());
                try {
                    answers.add(e.getValue().join());
                    segments.forEach(candidates::remove);
                } catch (CompletionException | EarthwoException ex) {
                    Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
                    if (cause instanceof EarthwoException ee && ee.code() == ErrorCode.BAD_REQUEST) {
                        throw ee;
                    }
                    for (int s : segments) {
                        candidates.get(s).pollFirst();
                        failures.put(s, "node " + e.getKey() + ": " + cause.getMessage());
                    }
                }
            }
        }
        if (!candidates.isEmpty()) {
            throw new EarthwoException(ErrorCode.PARTIAL_RESULT, "no replica could answer for segments "
                    + new TreeSet<>(candidates.keySet()) + " of index '" + d.name() + "'; last errors: "
                    + lastErrors(failures, candidates.keySet()));
        }
        return page(d, query, answers);
    }

    /** Serving replicas of the segment in the order they are asked: this node, the master, the others. */
    private static Deque<Integer> order(SegmentMap map, int segment, int self) {
        Deque<Integer> out = new ArrayDeque<>();
        List<Integer> serving = map.servingReplicas(segment);
        if (serving.contains(self)) {
            out.add(self);
        }
        for (int n : serving) {
            if (n != self) {
                out.add(n);
            }
        }
        return out;
    }

    private CompletableFuture<NodeRows> ask(int node, int self, QueryMessages.Ask ask) {
        if (node == self) {
            try {
                return CompletableFuture.completedFuture(local.read(ask));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        PeerLinks l = links.get();
        if (l == null) {
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE,
                    "no node-to-node links on this node yet"));
        }
        return l.call(node, QueryMessages.encode(ask), timeout).toCompletableFuture()
                .thenApply(QueryMessages::decodeRows);
    }

    private static IndexPage page(IndexDefinition d, IndexQuery query, List<NodeRows> answers) {
        List<NodeRows.Row> merged = new ArrayList<>();
        NodeRows.Row bound = null;
        boolean more = false;
        for (NodeRows a : answers) {
            merged.addAll(a.rows());
            if (a.more() && !a.rows().isEmpty()) {
                NodeRows.Row last = a.rows().get(a.rows().size() - 1);
                bound = bound == null || NodeRows.Row.ORDER.compare(last, bound) < 0 ? last : bound;
                more = true;
            }
        }
        merged.sort(NodeRows.Row.ORDER);
        List<IndexRow> rows = new ArrayList<>();
        NodeRows.Row lastTaken = null;
        for (NodeRows.Row r : merged) {
            if (rows.size() == query.limit() || (bound != null && NodeRows.Row.ORDER.compare(r, bound) > 0)) {
                more = true;
                break;
            }
            rows.add(new IndexRow(r.key(), shown(d, r.entry()), r.record()));
            lastTaken = r;
        }
        String cursor = more && lastTaken != null ? QueryRange.cursor(d, lastTaken.entry(), lastTaken.key()) : null;
        return new IndexPage(rows, cursor);
    }

    private static String shown(IndexDefinition d, byte[] entry) {
        IndexKeyCodec.Decoded v = IndexKeyCodec.decode(d.type(), entry, 4);
        return IndexKeyCodec.display(d.type(), v.value());
    }

    private static String lastErrors(Map<Integer, String> failures, java.util.Set<Integer> missing) {
        Map<String, List<Integer>> byError = new LinkedHashMap<>();
        for (int s : missing) {
            byError.computeIfAbsent(failures.getOrDefault(s, "no serving replica in the map"), k -> new ArrayList<>()).add(s);
        }
        StringBuilder out = new StringBuilder();
        byError.forEach((error, segs) -> out.append(out.length() == 0 ? "" : "; ").append(error).append(" (segments ")
                .append(segs.size() > 8 ? segs.subList(0, 8) + "…" : segs).append(')'));
        return out.toString();
    }
}

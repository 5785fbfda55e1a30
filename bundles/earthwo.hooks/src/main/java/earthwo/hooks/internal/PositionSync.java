package earthwo.hooks.internal;

import earthwo.api.logging.RateLimitedLog;
import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.SegmentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Sends the positions of the segments this node masters to each segment's other replicas, only
 * those that moved since the replica last took them, so that a new master after a failover
 * resumes at most one round behind (the hook sees that suffix again: at least once).
 *
 * <p>One round at a time per replica: a replica that does not answer gets nothing new until its
 * last round completed or failed; what failed goes again in the next round. Without node-to-node
 * links (a single node) there is nothing to do.
 */
final class PositionSync {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(PositionSync.class);

    private record Key(String name, int segment) {
    }

    private final ClusterView cluster;
    private final Supplier<PeerLinks> links;
    private final Supplier<Map<String, Map<Integer, Version>>> positions;
    private final LongAdder sent;
    private final RateLimitedLog failureLog = new RateLimitedLog();
    /** Per replica node, the positions it acknowledged. */
    private final Map<Integer, Map<Key, Version>> taken = new ConcurrentHashMap<>();
    private final Set<Integer> inFlight = ConcurrentHashMap.newKeySet();

    PositionSync(ClusterView cluster, Supplier<PeerLinks> links, Supplier<Map<String, Map<Integer, Version>>> positions,
                 LongAdder sent) {
        this.cluster = cluster;
        this.links = links;
        this.positions = positions;
        this.sent = sent;
    }

    /** One round: starts the sends and returns; they complete in the background. */
    void run() {
        PeerLinks l = links.get();
        if (l == null) {
            return;
        }
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        Map<Integer, List<PositionMessages.Entry>> out = new TreeMap<>();
        positions.get().forEach((name, bySegment) -> bySegment.forEach((segment, through) -> {
            if (segment >= map.segmentCount() || !cluster.isMaster(segment)) {
                return;
            }
            for (int replica : map.replicas(segment)) {
                if (replica == self || inFlight.contains(replica)) {
                    continue;
                }
                Version before = taken.getOrDefault(replica, Map.of()).get(new Key(name, segment));
                if (before == null || through.isNewerThan(before)) {
                    out.computeIfAbsent(replica, r -> new ArrayList<>()).add(new PositionMessages.Entry(name, segment, through));
                }
            }
        }));
        // A node that left the map starts afresh if it comes back.
        taken.keySet().removeIf(node -> !map.nodes().containsKey(node) && !out.containsKey(node));
        out.forEach((replica, entries) -> send(l, replica, entries));
    }

    private void send(PeerLinks l, int replica, List<PositionMessages.Entry> entries) {
        inFlight.add(replica);
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (int from = 0; from < entries.size(); from += PositionMessages.MAX_ENTRIES) {
            List<PositionMessages.Entry> chunk = entries.subList(from, Math.min(entries.size(), from + PositionMessages.MAX_ENTRIES));
            chain = chain.thenCompose(v -> call(l, replica, chunk)).thenRun(() -> took(replica, chunk));
        }
        chain.whenComplete((v, e) -> {
            inFlight.remove(replica);
            if (e != null) {
                long n = failureLog.event();
                if (n > 0) {
                    LOG.warn("node {}: hook positions not taken by node {}: {}; they go again in the next round ({} such"
                            + " failures since the last line about them)", cluster.localNodeId(), replica,
                            Delivery.describe(e), n);
                }
            }
        });
    }

    private static CompletionStage<byte[]> call(PeerLinks l, int replica, List<PositionMessages.Entry> chunk) {
        try {
            return l.call(replica, PositionMessages.encode(chunk), CALL_TIMEOUT);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void took(int replica, List<PositionMessages.Entry> chunk) {
        Map<Key, Version> m = taken.computeIfAbsent(replica, r -> new ConcurrentHashMap<>());
        for (PositionMessages.Entry e : chunk) {
            m.merge(new Key(e.name(), e.segment()), e.through(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        sent.add(chunk.size());
    }
}

package earthwo.replication.internal.antientropy;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Segments;
import earthwo.api.cluster.ClusterView;
import earthwo.replication.internal.VersionGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.LongAdder;

/**
 * Decides whether a record another replica sent in an anti-entropy exchange may be stored: its
 * key must belong to the segment it came for (a record stored under another segment could never
 * be read), and its version must not be too far ahead of this node's clock ({@link VersionGuard}).
 * A refused record is skipped, counted and logged; the rest of the exchange goes on.
 */
final class IncomingRecords {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingRecords.class);

    private final ClusterView cluster;
    private final VersionGuard guard;
    final LongAdder misrouted = new LongAdder();

    IncomingRecords(ClusterView cluster, VersionGuard guard) {
        this.cluster = cluster;
        this.guard = guard;
    }

    boolean acceptable(Record r, int segment, int fromNode, String exchange) {
        int own = Segments.segmentOf(r.key(), cluster.currentMap().segmentCount());
        if (own != segment) {
            misrouted.increment();
            LOG.warn("node {} segment {}: skipped key {} from node {} ({}): it belongs to segment {}",
                    cluster.localNodeId(), segment, Keys.printable(r.key()), fromNode, exchange, own);
            return false;
        }
        return guard.accept(r, segment, "node " + fromNode + " (" + exchange + ")");
    }

    long versionsRefused() {
        return guard.refused();
    }
}

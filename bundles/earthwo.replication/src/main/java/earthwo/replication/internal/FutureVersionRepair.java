package earthwo.replication.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.admin.FutureVersions;
import earthwo.api.cluster.ClusterView;
import earthwo.api.storage.SegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@link FutureVersions} of one node: scans the segments it holds for records whose version the
 * {@link VersionGuard} would refuse, and rewrites them through the write coordinator's clock.
 */
final class FutureVersionRepair implements FutureVersions {

    private static final Logger LOG = LoggerFactory.getLogger(FutureVersionRepair.class);
    private static final int PAGE = 1_000;
    private static final byte[] ALL_KEYS = new byte[0];

    private final SegmentStore store;
    private final ClusterView cluster;
    private final WriteCoordinator coordinator;

    FutureVersionRepair(SegmentStore store, ClusterView cluster, WriteCoordinator coordinator) {
        this.store = store;
        this.cluster = cluster;
        this.coordinator = coordinator;
    }

    @Override
    public List<Found> find(int limit) {
        List<Found> found = new ArrayList<>();
        VersionGuard guard = coordinator.versionGuard();
        forEachFuture(limit, (segment, r) -> {
            found.add(new Found(segment, r.key(), r.version(), guard.aheadMillis(r.version())));
            return found.size() < limit;
        });
        return found;
    }

    @Override
    public long rewrite() {
        long[] rewritten = {0};
        forEachFuture(Integer.MAX_VALUE, (segment, r) -> {
            Record fresh = coordinator.rewriteWithCurrentVersion(segment, r);
            rewritten[0]++;
            LOG.warn("node {} segment {} key {}: rewrote version {} ({} ms ahead of this node's clock) as {}",
                    cluster.localNodeId(), segment, Keys.printable(r.key()), r.version(),
                    coordinator.versionGuard().aheadMillis(r.version()), fresh.version());
            return true;
        });
        return rewritten[0];
    }

    private interface Visitor {
        /** @return false to stop */
        boolean visit(int segment, Record futureRecord);
    }

    private void forEachFuture(int limit, Visitor visitor) {
        VersionGuard guard = coordinator.versionGuard();
        Predicate<Record> future = r -> !guard.isPlausible(r.version());
        for (int segment : cluster.currentMap().segmentsOf(cluster.localNodeId())) {
            byte[] after = null;
            while (true) {
                List<Record> page = store.scan(segment, ALL_KEYS, after, PAGE);
                for (Record r : page) {
                    if (future.test(r) && !visitor.visit(segment, r)) {
                        return;
                    }
                }
                if (page.size() < PAGE) {
                    break;
                }
                after = page.get(page.size() - 1).key();
            }
        }
    }
}

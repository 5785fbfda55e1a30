package earthwo.hooks.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.SegmentStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * Takes the positions a segment master sent ({@link PositionMessages}) and saves those of
 * segments this node holds, where they are further on than the stored ones: a position never
 * moves back, whatever order messages of an old and a new master arrive in. If this node becomes
 * master it resumes from them; the trimmer trims this node's outbox to them.
 */
final class PositionReceiver implements PeerHandler {

    private final SegmentStore store;
    private final ClusterView cluster;
    private final boolean outbox;
    private final LongAdder saved;

    PositionReceiver(SegmentStore store, ClusterView cluster, boolean outbox, LongAdder saved) {
        this.store = store;
        this.cluster = cluster;
        this.outbox = outbox;
        this.saved = saved;
    }

    @Override
    public CompletionStage<byte[]> handle(byte[] payload) {
        try {
            if (payload == null || payload.length == 0) {
                throw new EarthwoException(ErrorCode.BAD_REQUEST, "empty hook position message");
            }
            List<PositionMessages.Entry> entries = PositionMessages.decode(payload);
            if (!outbox) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "node " + cluster.localNodeId()
                        + " keeps no outbox, so no hook positions: hooks need earthwo.storage.outbox.enabled=true on"
                        + " every node of the cluster");
            }
            save(entries);
            return CompletableFuture.completedFuture(new byte[0]);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void save(List<PositionMessages.Entry> entries) {
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        Map<String, List<PositionMessages.Entry>> byName = new LinkedHashMap<>();
        for (PositionMessages.Entry e : entries) {
            if (e.segment() >= 0 && e.segment() < map.segmentCount() && map.isReplica(e.segment(), self)
                    && HookSpec.NAME_PATTERN.matcher(e.name()).matches()) {
                byName.computeIfAbsent(e.name(), n -> new ArrayList<>()).add(e);
            }
        }
        for (Map.Entry<String, List<PositionMessages.Entry>> named : byName.entrySet()) {
            Map<Integer, Version> stored = store.positions(named.getKey());
            for (PositionMessages.Entry e : named.getValue()) {
                Version before = stored.get(e.segment());
                if (before == null || e.through().isNewerThan(before)) {
                    store.savePosition(e.name(), e.segment(), e.through());
                    saved.increment();
                }
            }
        }
    }
}

package earthwo.hooks.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.SegmentStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The peer messages of {@link PositionMessages}, both types.
 *
 * <p>{@value PositionMessages#TYPE}: takes the positions a segment master sent and saves those of
 * segments this node holds, where they are further on than the stored ones: a position never
 * moves back, whatever order messages of an old and a new master arrive in. Each saved position
 * also goes to the running hook of that name ({@link Saved}), which takes it where it is further on
 * than its own: a hook thread that masters the segment (the map made this node master while the
 * other still sent) does not deliver again what the other master's hook acknowledged. If this
 * node becomes master later it resumes from them; the trimmer trims this node's outbox to them.
 *
 * <p>{@value PositionMessages#ASK}: answers a new master's question with the positions the store
 * holds (saved by this node's own hooks while it was master, or sent here by a master).
 */
final class PositionReceiver implements PeerHandler {

    /** Told of every position saved from a message. */
    interface Saved {
        void saved(String name, int segment, Version through);
    }

    private final SegmentStore store;
    private final ClusterView cluster;
    private final LongAdder saved;
    private final Saved listener;
    private final LongAdder answered;

    PositionReceiver(SegmentStore store, ClusterView cluster, LongAdder saved) {
        this(store, cluster, saved, (n, s, v) -> { }, new LongAdder());
    }

    /** {@code answered}: counts the questions answered with a position. */
    PositionReceiver(SegmentStore store, ClusterView cluster, LongAdder saved, Saved listener, LongAdder answered) {
        this.store = store;
        this.cluster = cluster;
        this.saved = saved;
        this.listener = listener;
        this.answered = answered;
    }

    @Override
    public CompletionStage<byte[]> handle(byte[] payload) {
        try {
            int type = PositionMessages.typeOf(payload);
            if (type == PositionMessages.ASK) {
                List<PositionMessages.Question> questions = PositionMessages.decodeAsk(payload);
                requireOutbox();
                return CompletableFuture.completedFuture(PositionMessages.encode(PositionMessages.ASK, answer(questions)));
            }
            List<PositionMessages.Entry> entries = PositionMessages.decode(payload);
            requireOutbox();
            save(entries);
            return CompletableFuture.completedFuture(new byte[0]);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void requireOutbox() {
        if (!store.keepsOutbox()) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "node " + cluster.localNodeId()
                    + " keeps no outbox yet, so no hook positions (it switches it on when a hook registers on any"
                    + " node)");
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
                    listener.saved(e.name(), e.segment(), e.through());
                }
            }
        }
    }

    /** The stored positions of what was asked; nothing for a name or segment without one. */
    private List<PositionMessages.Entry> answer(List<PositionMessages.Question> questions) {
        Map<String, Map<Integer, Version>> byName = new HashMap<>();
        List<PositionMessages.Entry> out = new ArrayList<>();
        for (PositionMessages.Question q : questions) {
            if (!HookSpec.NAME_PATTERN.matcher(q.name()).matches()) {
                continue;
            }
            Version v = byName.computeIfAbsent(q.name(), store::positions).get(q.segment());
            if (v != null) {
                out.add(new PositionMessages.Entry(q.name(), q.segment(), v));
            }
        }
        answered.add(out.size());
        return out;
    }
}

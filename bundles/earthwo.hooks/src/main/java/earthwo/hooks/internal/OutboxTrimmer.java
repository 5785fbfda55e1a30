package earthwo.hooks.internal;

import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.storage.SegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Keeps the outboxes of the segments this node holds (master or replica) small: removes the
 * events every known hook name has acknowledged, that is those up to the lowest position over
 * all names, the ones registered here and the ones the store has positions of (saved here, or
 * sent by the segment's master). A name with no position in a segment holds it at the start.
 *
 * <p>A name that is not registered here and was not saved for the forget time is dropped, so a
 * hook removed for good stops holding the outbox back. While no name is known at all, events
 * older than the unclaimed retention are removed, so an outbox without hooks stays small; a hook
 * registered later starts from the oldest event still held.
 *
 * <p>A trim is a write transaction, so an empty outbox, or one already trimmed through the same
 * position, is not trimmed again.
 */
final class OutboxTrimmer {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxTrimmer.class);

    private final SegmentStore store;
    private final ClusterView cluster;
    private final Supplier<Set<String>> registered;
    private final LongSupplier clock;
    private final long forgetAfterMs;
    private final long unclaimedRetainMs;
    private final LongAdder trimmed;
    /** Per segment, the version trimmed through last (by positions): not trimmed again until it moves. */
    private final Map<Integer, Version> done = new HashMap<>();

    OutboxTrimmer(SegmentStore store, ClusterView cluster, Supplier<Set<String>> registered, LongSupplier clock,
                  long forgetAfterMs, long unclaimedRetainMs, LongAdder trimmed) {
        this.store = store;
        this.cluster = cluster;
        this.registered = registered;
        this.clock = clock;
        this.forgetAfterMs = forgetAfterMs;
        this.unclaimedRetainMs = unclaimedRetainMs;
        this.trimmed = trimmed;
    }

    /** One round: forgets stale names, then trims every segment this node holds. */
    void run() {
        if (!store.keepsOutbox()) {
            return;
        }
        long now = clock.getAsLong();
        Set<String> here = registered.get();
        Set<String> names = new TreeSet<>(here);
        for (Map.Entry<String, Long> e : store.positionNames().entrySet()) {
            String name = e.getKey();
            if (!here.contains(name) && now - e.getValue() >= forgetAfterMs) {
                store.dropPositions(name);
                LOG.info("node {}: forgot the positions of hook '{}': not registered here and not saved for {} ms"
                        + " (earthwo.hooks.forget.after.ms); it no longer holds back the outbox", cluster.localNodeId(),
                        name, now - e.getValue());
            } else {
                names.add(name);
            }
        }
        List<Integer> held = cluster.currentMap().segmentsOf(cluster.localNodeId());
        if (names.isEmpty()) {
            trimUnclaimed(held, now);
            return;
        }
        Map<String, Map<Integer, Version>> positions = new HashMap<>();
        for (String name : names) {
            positions.put(name, store.positions(name));
        }
        for (int segment : held) {
            Version lowest = null;
            for (Map<Integer, Version> p : positions.values()) {
                Version v = p.getOrDefault(segment, Version.ZERO);
                lowest = lowest == null || v.compareTo(lowest) < 0 ? v : lowest;
            }
            if (lowest != null && lowest.isNewerThan(done.getOrDefault(segment, Version.ZERO))) {
                trimmed.add(store.trimEvents(segment, lowest));
                done.put(segment, lowest);
            }
        }
    }

    private void trimUnclaimed(List<Integer> held, long now) {
        long before = now - unclaimedRetainMs;
        if (before <= 0) {
            return;
        }
        // The newest version stamped in that millisecond: counter and node id at their maximum.
        Version through = Version.of(before, 0xffff, Integer.MAX_VALUE);
        for (int segment : held) {
            if (store.outboxSize(segment) > 0) { // a trim is a write transaction: none for nothing
                trimmed.add(store.trimEvents(segment, through));
            }
        }
        done.clear();
    }
}

package earthwo.cluster.internal;

import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.cluster.internal.MapCodec.MapDoc;

/**
 * The syncing replicas of this node that anti-entropy found caught up, reported to the controller
 * in the node's registration so it lets them serve (see {@link ReplicaTransition}). A mark names
 * the epoch the replica started syncing in, so a report meant for an earlier round of syncing
 * the same segment is never taken for the current one.
 */
final class CatchUpMarks {

    private static final Logger LOG = LoggerFactory.getLogger(CatchUpMarks.class);

    private final int nodeId;
    private final String cluster;
    private final NodeRegistration registration;
    private final SegmentMapCache maps;
    /** Segment → syncing-since epoch, as published in the registration; guarded by itself. */
    private final Map<Integer, Long> caughtUp = new TreeMap<>();

    CatchUpMarks(int nodeId, String cluster, NodeRegistration registration, SegmentMapCache maps) {
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.registration = registration;
        this.maps = maps;
    }

    /**
     * Marks this node's replica of the segment caught up if it is syncing in the current map and
     * the anti-entropy pass that found it in sync ran on a map no older than the one it started
     * syncing in.
     */
    void markCaughtUp(int segment, long passEpoch) {
        MapDoc m = maps.currentDoc();
        Map<Integer, Long> sync = m == null ? null : m.syncing.get(segment);
        Long since = sync == null ? null : sync.get(nodeId);
        if (since == null || passEpoch < since) {
            return;
        }
        synchronized (caughtUp) {
            if (since.equals(caughtUp.get(segment))) {
                return;
            }
            caughtUp.put(segment, since);
            publish();
        }
        LOG.info("node {} cluster {} epoch {} segment {}: replica caught up (syncing since epoch {}), asking to serve",
                nodeId, cluster, m.epoch, segment, since);
    }

    /** Drops marks the new map has consumed (the replica serves, or is no longer wanted). */
    void prune(MapDoc map) {
        synchronized (caughtUp) {
            boolean changed = caughtUp.entrySet().removeIf(e -> {
                Map<Integer, Long> sync = map.syncing.get(e.getKey());
                return sync == null || !e.getValue().equals(sync.get(nodeId));
            });
            if (changed) {
                publish();
            }
        }
    }

    /** Writes the registration with the current marks (caller holds the caughtUp lock). */
    private void publish() {
        try {
            registration.publishCaughtUp(caughtUp);
        } catch (Exception e) {
            LOG.warn("node {} cluster {}: could not publish caught-up replicas {}: {}", nodeId, cluster,
                    caughtUp.keySet(), e.toString());
        }
    }
}

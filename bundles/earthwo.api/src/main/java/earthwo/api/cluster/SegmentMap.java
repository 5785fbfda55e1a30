package earthwo.api.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which nodes hold each segment. For every segment an ordered replica list; the first replica
 * is the segment's master. The epoch grows with every map the controller publishes and fences
 * stale writers.
 *
 * <p>A replica may be <em>syncing</em>: it was just added to the segment (a node joined, R was
 * raised, a lost node's replicas were re-created) and is catching up. It receives every new write
 * but does not serve reads, is never master and is listed after the serving replicas; the
 * controller makes it a serving replica once anti-entropy with the master found it in sync.
 */
public final class SegmentMap {

    private final long epoch;
    private final int replicationFactor;
    private final List<List<Integer>> replicas;
    private final Map<Integer, NodeInfo> nodes;
    private final Map<Integer, Set<Integer>> syncing;

    /** A map without syncing replicas. */
    public SegmentMap(long epoch, int replicationFactor, List<List<Integer>> replicas, Map<Integer, NodeInfo> nodes) {
        this(epoch, replicationFactor, replicas, nodes, Map.of());
    }

    /**
     * @param syncing segment → replicas of that segment still catching up (each must be in the
     *        segment's replica list; others are ignored)
     */
    public SegmentMap(long epoch, int replicationFactor, List<List<Integer>> replicas, Map<Integer, NodeInfo> nodes,
                      Map<Integer, ? extends Set<Integer>> syncing) {
        this.epoch = epoch;
        this.replicationFactor = replicationFactor;
        List<List<Integer>> copy = new ArrayList<>(replicas.size());
        for (List<Integer> r : replicas) {
            copy.add(List.copyOf(r));
        }
        this.replicas = Collections.unmodifiableList(copy);
        this.nodes = Collections.unmodifiableMap(new TreeMap<>(nodes));
        Map<Integer, Set<Integer>> s = new TreeMap<>();
        syncing.forEach((segment, set) -> {
            if (segment >= 0 && segment < copy.size()) {
                Set<Integer> kept = new TreeSet<>(set);
                kept.retainAll(copy.get(segment));
                if (!kept.isEmpty()) {
                    s.put(segment, Collections.unmodifiableSet(kept));
                }
            }
        });
        this.syncing = Collections.unmodifiableMap(s);
    }

    public long epoch() {
        return epoch;
    }

    public int segmentCount() {
        return replicas.size();
    }

    /** The replica count R the cluster is configured for (a segment may have fewer). */
    public int replicationFactor() {
        return replicationFactor;
    }

    /** Replica node ids of a segment, master first, syncing replicas last. */
    public List<Integer> replicas(int segment) {
        return replicas.get(segment);
    }

    /** The master of a segment, or -1 if it has no replica. */
    public int master(int segment) {
        List<Integer> r = replicas.get(segment);
        return r.isEmpty() ? -1 : r.get(0);
    }

    public boolean isReplica(int segment, int nodeId) {
        return replicas.get(segment).contains(nodeId);
    }

    /** Replicas of a segment that are still catching up (empty for most segments). */
    public Set<Integer> syncing(int segment) {
        return syncing.getOrDefault(segment, Set.of());
    }

    /** True if the node is a replica of the segment that is still catching up. */
    public boolean isSyncing(int segment, int nodeId) {
        return syncing(segment).contains(nodeId);
    }

    /** True if the node is a replica of the segment that serves reads (not syncing). */
    public boolean isServing(int segment, int nodeId) {
        return isReplica(segment, nodeId) && !isSyncing(segment, nodeId);
    }

    /** The serving replicas of a segment, master first. */
    public List<Integer> servingReplicas(int segment) {
        Set<Integer> s = syncing(segment);
        if (s.isEmpty()) {
            return replicas.get(segment);
        }
        List<Integer> out = new ArrayList<>(replicas.get(segment));
        out.removeAll(s);
        return out;
    }

    /** Segments with syncing replicas → those replicas. */
    public Map<Integer, Set<Integer>> allSyncing() {
        return syncing;
    }

    /** Nodes known to the map, by id. */
    public Map<Integer, NodeInfo> nodes() {
        return nodes;
    }

    /** Segments that have {@code nodeId} among their replicas (syncing or serving). */
    public List<Integer> segmentsOf(int nodeId) {
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s < replicas.size(); s++) {
            if (replicas.get(s).contains(nodeId)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "SegmentMap[epoch=" + epoch + ", segments=" + replicas.size() + ", R=" + replicationFactor
                + ", nodes=" + nodes.keySet() + (syncing.isEmpty() ? "" : ", syncing in " + syncing.size() + " segments")
                + "]";
    }
}

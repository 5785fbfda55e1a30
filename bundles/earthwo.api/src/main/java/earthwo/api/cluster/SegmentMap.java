package earthwo.api.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which nodes hold each segment. For every segment an ordered replica list; the first replica
 * is the segment's master. The epoch grows with every map the controller publishes and fences
 * stale writers.
 */
public final class SegmentMap {

    private final long epoch;
    private final int replicationFactor;
    private final List<List<Integer>> replicas;
    private final Map<Integer, NodeInfo> nodes;

    public SegmentMap(long epoch, int replicationFactor, List<List<Integer>> replicas, Map<Integer, NodeInfo> nodes) {
        this.epoch = epoch;
        this.replicationFactor = replicationFactor;
        List<List<Integer>> copy = new ArrayList<>(replicas.size());
        for (List<Integer> r : replicas) {
            copy.add(List.copyOf(r));
        }
        this.replicas = Collections.unmodifiableList(copy);
        this.nodes = Collections.unmodifiableMap(new TreeMap<>(nodes));
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

    /** Replica node ids of a segment, master first. */
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

    /** Nodes known to the map, by id. */
    public Map<Integer, NodeInfo> nodes() {
        return nodes;
    }

    /** Segments that have {@code nodeId} among their replicas. */
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
                + ", nodes=" + nodes.keySet() + "]";
    }
}

package earthwo.cluster.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Step 3 of {@link SegmentPlacement}: missing replicas matched to active nodes with free quota.
 * A bipartite matching of missing slots to nodes: when no candidate of a segment has room, an
 * augmenting path re-routes slots filled by this fill only, so nothing placed before moves.
 * Between equal candidates the choice is spread over the segments, so no node draws all ties.
 */
final class ReplicaFill {

    private final List<List<Integer>> lists;
    private final List<Integer> active;
    private final Map<Integer, Integer> room = new HashMap<>();
    private final Map<Integer, List<Integer>> slotsOf = new HashMap<>(); // node -> segments filled
    private final Map<Integer, List<Integer>> added = new HashMap<>(); // segment -> nodes added

    ReplicaFill(List<List<Integer>> lists, List<Integer> active, Map<Integer, Integer> quota,
            Map<Integer, Integer> load) {
        this.lists = lists;
        this.active = active;
        for (Integer n : active) {
            room.put(n, quota.get(n) - load.get(n));
            slotsOf.put(n, new ArrayList<>());
        }
    }

    /** The nodes this fill added to segment s so far (not yet in its list). */
    List<Integer> added(int s) {
        return added.getOrDefault(s, List.of());
    }

    /** Adds one replica to segment s; false if no active node can take it. */
    boolean fill(int s) {
        List<Integer> c = candidates(s);
        if (c.isEmpty()) {
            return false;
        }
        if (room.get(c.get(0)) > 0 || !augment(s, new HashSet<>())) {
            // no room anywhere reachable: overfill the least loaded; step 4 levels it
            Integer least = c.get(0);
            assign(s, least);
        }
        return true;
    }

    /** Spreads ties between equal candidates differently per segment (deterministic). */
    static int mix(int segment, int node) {
        int h = segment * 0x9E3779B9 ^ node * 0x85EBCA6B;
        h ^= h >>> 16;
        h *= 0x7feb352d;
        h ^= h >>> 15;
        return h;
    }

    private boolean eligible(int s, Integer n) {
        return !lists.get(s).contains(n) && !added(s).contains(n);
    }

    private void assign(int s, Integer n) {
        added.computeIfAbsent(s, k -> new ArrayList<>()).add(n);
        slotsOf.get(n).add(s);
        room.merge(n, -1, Integer::sum);
    }

    private void unassign(int s, Integer n) {
        added.get(s).remove(n);
        slotsOf.get(n).remove(Integer.valueOf(s));
        room.merge(n, 1, Integer::sum);
    }

    /** The nodes that could take a replica of segment s, most room first. */
    private List<Integer> candidates(int s) {
        List<Integer> c = new ArrayList<>();
        for (Integer n : active) {
            if (eligible(s, n)) {
                c.add(n);
            }
        }
        c.sort((a, b) -> !room.get(a).equals(room.get(b)) ? Integer.compare(room.get(b), room.get(a))
                : mix(s, a) != mix(s, b) ? Integer.compare(mix(s, a), mix(s, b)) : Integer.compare(a, b));
        return c;
    }

    /** Finds room for segment s by moving replicas this fill placed to other nodes; true if found. */
    private boolean augment(int s, Set<Integer> visited) {
        for (Integer n : candidates(s)) {
            if (!visited.add(n)) {
                continue;
            }
            if (room.get(n) > 0) {
                assign(s, n);
                return true;
            }
            for (Integer t : new ArrayList<>(slotsOf.get(n))) {
                if (t == s) {
                    continue;
                }
                unassign(t, n);
                if (augment(t, visited)) {
                    assign(s, n);
                    return true;
                }
                assign(t, n);
            }
        }
        return false;
    }
}

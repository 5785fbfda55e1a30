package earthwo.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Places segment replicas on nodes. A pure function: the same input gives the same output, and
 * nothing outside the arguments is read.
 *
 * <p>Input: segment count S, replication factor R, the member nodes, the nodes among them that are
 * <em>suspended</em> (lost, but inside the grace period: they keep their replicas but may neither
 * be master nor receive new replicas) and the previous assignment (or null). Output: for every
 * segment an ordered list of {@code r = min(R, N)} distinct node ids, master first.
 *
 * <p>How it works, and why the result is balanced with minimal movement:
 * <ol>
 * <li><b>Clean.</b> Start from the previous lists; drop nodes that are no longer members and
 * duplicates (order is kept, so a lost master's role passes to the next replica). Where a segment
 * has more than r replicas (R was lowered), drop the non-master replica on the most loaded node.
 * <li><b>Quotas.</b> Total replicas T = S·r. A suspended node's quota is what it holds now. The
 * remaining replicas are spread over the L active nodes: each gets ⌊rest/L⌋, and the
 * {@code rest mod L} nodes that already hold the most get one more (ties: lower id). So quotas of
 * active nodes differ by at most 1.
 * <li><b>Fill.</b> Every segment short of r replicas gets the active node with the largest
 * deficit (quota − load) not already in it. With a previous balanced map this is exactly the lost
 * node's replicas: nothing else moves.
 * <li><b>Rebalance.</b> While some node is over its quota, some other node is under its quota (the
 * quotas add up to T). The over node holds more segments than the under node, so some segment
 * holds the over node and not the under one: that replica moves. Each move brings both nodes one
 * step closer to their quotas, so the number of moves is exactly the total excess — the least any
 * placement reaching the quotas must move. When a node joins it starts empty, so the moves are the
 * ≈S·r/N replicas it must take, all of them to it.
 * <li><b>Masters.</b> A suspended node at the head of a list is moved to the end. Then master
 * counts of active nodes are levelled to max − min ≤ 1 where replica lists allow it: along an
 * augmenting path of segments (master x, replica y) the master role moves one step each, so only
 * nodes at the ends of the path change their master count. Masters move only inside replica lists
 * (no data moves).
 * </ol>
 * Result: every active node holds ⌊T'/L⌋ or ⌈T'/L⌉ replicas (max − min ≤ 1), where T' is what
 * suspended nodes do not hold.
 *
 * <p><b>Pins</b> ({@code cluster:master SEGMENT NODE}): a pin names the master of one segment.
 * While the pinned node is an active member, step 1 puts it first in that segment's list — moved
 * to the front if it already is a replica (nothing else moves), or added in front if it is not,
 * in which case the segment's surplus replica (among those after the previous master, the one on
 * the most loaded node) is dropped as when R is lowered, and steps 3–4 level the replica counts as after any change. Step
 * 4 never moves a pinned replica out of its segment and step 5 never moves a pinned master. A
 * pinned node that is suspended (lost, inside the grace period) loses the mastership like any
 * master (its replica moves to the end) and gets it back when it returns; a pin naming a node
 * that is not a member (left after the grace period, or never joined) has no effect until that
 * node joins again.
 */
public final class SegmentPlacement {

    private SegmentPlacement() {
    }

    /** {@link #place(int, int, Collection, Collection, List)} with no suspended node. */
    public static List<List<Integer>> place(int segments, int replicas, Collection<Integer> nodes,
            List<List<Integer>> previous) {
        return place(segments, replicas, nodes, Set.of(), previous);
    }

    /** {@link #place(int, int, Collection, Collection, List, Map)} with no pin. */
    public static List<List<Integer>> place(int segments, int replicas, Collection<Integer> nodes,
            Collection<Integer> suspended, List<List<Integer>> previous) {
        return place(segments, replicas, nodes, suspended, previous, Map.of());
    }

    /**
     * Computes the assignment.
     *
     * @param segments segment count S (≥ 1)
     * @param replicas replication factor R (≥ 1)
     * @param nodes member node ids (live nodes and suspended nodes); order does not matter
     * @param suspended members that keep their replicas but are never master nor get new replicas
     * @param previous the previous assignment, or null; ignored if its segment count differs
     * @param pins segment → node that must be its master while that node is an active member
     *        (see the class comment); pins of other segments or nodes are ignored
     * @return per segment the replica list, master first (lists are new, mutable)
     */
    public static List<List<Integer>> place(int segments, int replicas, Collection<Integer> nodes,
            Collection<Integer> suspended, List<List<Integer>> previous, Map<Integer, Integer> pins) {
        if (segments < 1) {
            throw new IllegalArgumentException("segments must be >= 1: " + segments);
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1: " + replicas);
        }
        TreeSet<Integer> members = new TreeSet<>(nodes);
        TreeSet<Integer> down = new TreeSet<>(suspended);
        down.retainAll(members);
        TreeSet<Integer> active = new TreeSet<>(members);
        active.removeAll(down);
        List<List<Integer>> out = new ArrayList<>(segments);
        if (members.isEmpty()) {
            for (int s = 0; s < segments; s++) {
                out.add(new ArrayList<>());
            }
            return out;
        }
        int r = Math.min(replicas, members.size());
        // the pins in force: pinned node active; pinned[s] = node or -1
        int[] pinned = new int[segments];
        java.util.Arrays.fill(pinned, -1);
        if (pins != null) {
            pins.forEach((seg, node) -> {
                if (seg != null && node != null && seg >= 0 && seg < segments && active.contains(node)) {
                    pinned[seg] = node;
                }
            });
        }

        // 1. clean
        Map<Integer, Integer> load = new HashMap<>();
        for (Integer n : members) {
            load.put(n, 0);
        }
        boolean usePrevious = previous != null && previous.size() == segments;
        for (int s = 0; s < segments; s++) {
            List<Integer> list = new ArrayList<>();
            if (usePrevious && previous.get(s) != null) {
                for (Integer n : new LinkedHashSet<>(previous.get(s))) {
                    if (n != null && members.contains(n)) {
                        list.add(n);
                    }
                }
            }
            if (pinned[s] >= 0) {
                list.remove(Integer.valueOf(pinned[s]));
                list.add(0, pinned[s]); // may make the list one too long: trimmed below
            }
            out.add(list);
            for (Integer n : list) {
                load.merge(n, 1, Integer::sum);
            }
        }
        for (int s = 0; s < segments; s++) {
            List<Integer> list = out.get(s);
            while (list.size() > r) {
                // a pin added in front: the previous master (now second) is kept too if r allows
                int lo = pinned[s] >= 0 && list.size() > 2 ? 2 : 1;
                int victim = list.size() - 1;
                for (int i = list.size() - 1; i >= lo; i--) {
                    if (load.get(list.get(i)) > load.get(list.get(victim))) {
                        victim = i;
                    }
                }
                load.merge(list.remove(victim), -1, Integer::sum);
            }
        }

        // 2. quotas
        Map<Integer, Integer> quota = new HashMap<>();
        int rest = segments * r;
        for (Integer n : down) {
            quota.put(n, load.get(n));
            rest -= load.get(n);
        }
        if (!active.isEmpty()) {
            int base = rest / active.size();
            int extra = rest % active.size();
            List<Integer> byLoad = new ArrayList<>(active);
            byLoad.sort((a, b) -> load.get(a).equals(load.get(b)) ? Integer.compare(a, b)
                    : Integer.compare(load.get(b), load.get(a)));
            for (int i = 0; i < byLoad.size(); i++) {
                quota.put(byLoad.get(i), base + (i < extra ? 1 : 0));
            }
        }

        // 3. fill: a bipartite matching of missing slots to nodes with room (augmenting paths
        // re-route slots filled in this call only, so nothing placed before moves)
        Fill fill = new Fill(out, new ArrayList<>(active), quota, load);
        for (int s = 0; s < segments; s++) {
            while (out.get(s).size() + fill.added(s).size() < r) {
                if (!fill.fill(s)) {
                    break; // fewer active nodes than r: the suspended ones fill the rest
                }
            }
        }
        for (int s = 0; s < segments; s++) {
            for (Integer n : fill.added(s)) {
                out.get(s).add(n);
                load.merge(n, 1, Integer::sum);
            }
        }

        // 4. rebalance: move replicas from over-quota to under-quota nodes
        while (true) {
            Integer over = null;
            Integer under = null;
            for (Integer n : active) {
                int d = load.get(n) - quota.get(n);
                if (d > 0 && (over == null || d > load.get(over) - quota.get(over))) {
                    over = n;
                }
                if (d < 0 && (under == null || d < load.get(under) - quota.get(under))) {
                    under = n;
                }
            }
            if (over == null || under == null) {
                break;
            }
            int segment = -1;
            for (int s = 0; s < segments; s++) {
                List<Integer> list = out.get(s);
                int i = list.indexOf(over);
                if (i >= 0 && !list.contains(under) && pinned[s] != over) {
                    if (i > 0) {
                        segment = s;
                        break;
                    }
                    if (segment < 0) {
                        segment = s; // a master position only if nothing else qualifies
                    }
                }
            }
            if (segment < 0) {
                break; // only pinned replicas of 'over' qualify (else impossible): as level as pins allow
            }
            List<Integer> list = out.get(segment);
            list.set(list.indexOf(over), under);
            load.merge(over, -1, Integer::sum);
            load.merge(under, 1, Integer::sum);
        }

        // 5. masters
        for (List<Integer> list : out) {
            if (!list.isEmpty() && down.contains(list.get(0))) {
                List<Integer> suspendedHead = new ArrayList<>();
                List<Integer> liveTail = new ArrayList<>();
                for (Integer n : list) {
                    (down.contains(n) ? suspendedHead : liveTail).add(n);
                }
                list.clear();
                list.addAll(liveTail);
                list.addAll(suspendedHead);
            }
        }
        balanceMasters(out, active, pinned);
        return out;
    }

    /** Spreads ties between equal candidates differently per segment (deterministic). */
    static int mix(int segment, int node) {
        int h = segment * 0x9E3779B9 ^ node * 0x85EBCA6B;
        h ^= h >>> 16;
        h *= 0x7feb352d;
        h ^= h >>> 15;
        return h;
    }

    /** Missing replicas matched to nodes with free quota; see step 3. */
    private static final class Fill {
        private final List<List<Integer>> out;
        private final List<Integer> active;
        private final Map<Integer, Integer> room = new HashMap<>();
        private final Map<Integer, List<Integer>> slotsOf = new HashMap<>(); // node -> segments filled
        private final Map<Integer, List<Integer>> added = new HashMap<>(); // segment -> nodes added

        Fill(List<List<Integer>> out, List<Integer> active, Map<Integer, Integer> quota, Map<Integer, Integer> load) {
            this.out = out;
            this.active = active;
            for (Integer n : active) {
                room.put(n, quota.get(n) - load.get(n));
                slotsOf.put(n, new ArrayList<>());
            }
        }

        List<Integer> added(int s) {
            return added.getOrDefault(s, List.of());
        }

        private boolean eligible(int s, Integer n) {
            return !out.get(s).contains(n) && !added(s).contains(n);
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

    /** Levels master counts over active nodes with augmenting paths (see class comment). */
    private static void balanceMasters(List<List<Integer>> out, Set<Integer> active, int[] pinned) {
        if (active.size() < 2) {
            return;
        }
        Map<Integer, Integer> masters = new TreeMap<>();
        for (Integer n : active) {
            masters.put(n, 0);
        }
        for (List<Integer> list : out) {
            if (!list.isEmpty() && active.contains(list.get(0))) {
                masters.merge(list.get(0), 1, Integer::sum);
            }
        }
        int guard = out.size() * active.size() + 1;
        while (guard-- > 0) {
            int max = masters.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            int min = masters.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            if (max - min <= 1) {
                return;
            }
            boolean moved = false;
            for (Integer source : masters.keySet()) {
                if (masters.get(source) != max) {
                    continue;
                }
                List<int[]> path = findPath(out, active, masters, source, max - 2, pinned);
                if (path != null) {
                    for (int[] step : path) { // {segment, index of the new master}
                        List<Integer> list = out.get(step[0]);
                        Integer oldMaster = list.get(0);
                        list.set(0, list.get(step[1]));
                        list.set(step[1], oldMaster);
                    }
                    masters.merge(source, -1, Integer::sum);
                    Integer sink = out.get(path.get(path.size() - 1)[0]).get(0);
                    masters.merge(sink, 1, Integer::sum);
                    moved = true;
                    break;
                }
            }
            if (!moved) {
                return; // no path: as level as the replica lists allow
            }
        }
    }

    /**
     * Breadth-first search from {@code source} over edges "x is master of segment s and y is a
     * replica of s" to a node holding at most {@code limit} masters. Returns the steps, or null.
     */
    private static List<int[]> findPath(List<List<Integer>> out, Set<Integer> active,
            Map<Integer, Integer> masters, Integer source, int limit, int[] pinned) {
        Map<Integer, int[]> via = new HashMap<>(); // node -> {segment, index} that reached it
        Map<Integer, Integer> parent = new HashMap<>();
        Set<Integer> seen = new HashSet<>();
        seen.add(source);
        List<Integer> frontier = new ArrayList<>(List.of(source));
        Map<Integer, List<Integer>> mastered = new HashMap<>();
        for (int s = 0; s < out.size(); s++) {
            List<Integer> list = out.get(s);
            if (!list.isEmpty() && pinned[s] < 0) { // a pinned master never moves
                mastered.computeIfAbsent(list.get(0), k -> new ArrayList<>()).add(s);
            }
        }
        while (!frontier.isEmpty()) {
            List<Integer> next = new ArrayList<>();
            for (Integer x : frontier) {
                for (Integer s : mastered.getOrDefault(x, List.of())) {
                    List<Integer> list = out.get(s);
                    for (int i = 1; i < list.size(); i++) {
                        Integer y = list.get(i);
                        if (!active.contains(y) || !seen.add(y)) {
                            continue;
                        }
                        via.put(y, new int[] {s, i});
                        parent.put(y, x);
                        if (masters.get(y) <= limit) {
                            List<int[]> path = new ArrayList<>();
                            Integer cur = y;
                            while (!cur.equals(source)) {
                                path.add(0, via.get(cur));
                                cur = parent.get(cur);
                            }
                            return path;
                        }
                        next.add(y);
                    }
                }
            }
            frontier = next;
        }
        return null;
    }
}

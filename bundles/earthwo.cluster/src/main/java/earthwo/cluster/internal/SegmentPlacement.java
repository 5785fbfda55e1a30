package earthwo.cluster.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * the most loaded node) is dropped as when R is lowered, and steps 3–4 level the replica counts
 * as after any change. Step 4 never moves a pinned replica out of its segment and step 5 never
 * moves a pinned master. A pinned node that is suspended (lost, inside the grace period) loses
 * the mastership like any master (its replica moves to the end) and gets it back when it
 * returns; a pin naming a node that is not a member (left after the grace period, or never
 * joined) has no effect until that node joins again.
 *
 * <p>{@link #place(int, int, Collection, Collection, List, Map)} runs the steps in order, one
 * method each; the fill of step 3 is {@link ReplicaFill}, the levelling of step 5
 * {@link MasterBalancing}. One instance holds the working state of one call.
 */
public final class SegmentPlacement {

    private final int segments;
    /** Replicas per segment: R, or fewer while there are fewer members. */
    private final int r;
    private final TreeSet<Integer> members;
    /** The suspended members. */
    private final TreeSet<Integer> down;
    private final TreeSet<Integer> active;
    /** The pins in force: pinned[s] is the node that must master segment s, or -1. */
    private final int[] pinned;
    /** The replica lists being built, master first. */
    private final List<List<Integer>> lists;
    /** Node → replicas it holds in {@link #lists}. */
    private final Map<Integer, Integer> load = new HashMap<>();
    /** Node → replicas it should hold (step 2). */
    private final Map<Integer, Integer> quota = new HashMap<>();

    private SegmentPlacement(int segments, int r, TreeSet<Integer> members, TreeSet<Integer> down,
            TreeSet<Integer> active, int[] pinned) {
        this.segments = segments;
        this.r = r;
        this.members = members;
        this.down = down;
        this.active = active;
        this.pinned = pinned;
        this.lists = new ArrayList<>(segments);
        for (Integer n : members) {
            load.put(n, 0);
        }
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
        if (members.isEmpty()) {
            return emptyLists(segments);
        }
        SegmentPlacement p = new SegmentPlacement(segments, Math.min(replicas, members.size()), members, down, active,
                pinsInForce(segments, pins, active));
        p.keepPreviousReplicas(previous);
        p.dropSurplusReplicas();
        p.setQuotas();
        p.fillMissingReplicas();
        p.moveReplicasFromOverToUnderQuota();
        p.demoteSuspendedMasters();
        MasterBalancing.levelMasterCounts(p.lists, active, p.pinned);
        return p.lists;
    }

    private static List<List<Integer>> emptyLists(int segments) {
        List<List<Integer>> empty = new ArrayList<>(segments);
        for (int s = 0; s < segments; s++) {
            empty.add(new ArrayList<>());
        }
        return empty;
    }

    /** Per segment the node a pin names, if that node is active; else -1. */
    private static int[] pinsInForce(int segments, Map<Integer, Integer> pins, Set<Integer> active) {
        int[] pinned = new int[segments];
        Arrays.fill(pinned, -1);
        if (pins != null) {
            pins.forEach((seg, node) -> {
                if (seg != null && node != null && seg >= 0 && seg < segments && active.contains(node)) {
                    pinned[seg] = node;
                }
            });
        }
        return pinned;
    }

    /**
     * Step 1, clean: the previous lists without nodes that are no longer members and without
     * duplicates, order kept; a pinned node is put first (which may make a list one too long).
     */
    private void keepPreviousReplicas(List<List<Integer>> previous) {
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
                list.add(0, pinned[s]);
            }
            lists.add(list);
            for (Integer n : list) {
                load.merge(n, 1, Integer::sum);
            }
        }
    }

    /**
     * Step 1, clean: where a segment has more than r replicas (R was lowered, or a pin added a
     * replica), drops the non-master replica on the most loaded node until it has r.
     */
    private void dropSurplusReplicas() {
        for (int s = 0; s < segments; s++) {
            List<Integer> list = lists.get(s);
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
    }

    /**
     * Step 2, quotas: a suspended node keeps what it holds; the rest is spread evenly over the
     * active nodes, the remainder going to those that hold the most now (ties: lower id).
     */
    private void setQuotas() {
        int rest = segments * r;
        for (Integer n : down) {
            quota.put(n, load.get(n));
            rest -= load.get(n);
        }
        if (active.isEmpty()) {
            return;
        }
        int base = rest / active.size();
        int extra = rest % active.size();
        List<Integer> byLoad = new ArrayList<>(active);
        byLoad.sort((a, b) -> load.get(a).equals(load.get(b)) ? Integer.compare(a, b)
                : Integer.compare(load.get(b), load.get(a)));
        for (int i = 0; i < byLoad.size(); i++) {
            quota.put(byLoad.get(i), base + (i < extra ? 1 : 0));
        }
    }

    /**
     * Step 3, fill: every segment short of r replicas gets active nodes with room, matched over
     * all segments at once (see {@link ReplicaFill}) so nothing placed before this step moves.
     */
    private void fillMissingReplicas() {
        ReplicaFill fill = new ReplicaFill(lists, new ArrayList<>(active), quota, load);
        for (int s = 0; s < segments; s++) {
            while (lists.get(s).size() + fill.added(s).size() < r) {
                if (!fill.fill(s)) {
                    break; // fewer active nodes than r: the suspended ones fill the rest
                }
            }
        }
        for (int s = 0; s < segments; s++) {
            for (Integer n : fill.added(s)) {
                lists.get(s).add(n);
                load.merge(n, 1, Integer::sum);
            }
        }
    }

    /**
     * Step 4, rebalance: moves one replica at a time from the node furthest over its quota to the
     * node furthest under it, until no node is over (or only pinned replicas could move).
     */
    private void moveReplicasFromOverToUnderQuota() {
        while (true) {
            Integer over = furthestFromQuota(1);
            Integer under = furthestFromQuota(-1);
            if (over == null || under == null) {
                return;
            }
            int segment = segmentToMoveFrom(over, under);
            if (segment < 0) {
                return; // only pinned replicas of 'over' qualify (else impossible): as level as pins allow
            }
            List<Integer> list = lists.get(segment);
            list.set(list.indexOf(over), under);
            load.merge(over, -1, Integer::sum);
            load.merge(under, 1, Integer::sum);
        }
    }

    /** The active node furthest over (sign 1) or under (sign -1) its quota, lowest id on ties; null if none. */
    private Integer furthestFromQuota(int sign) {
        Integer found = null;
        int furthest = 0;
        for (Integer n : active) {
            int d = sign * (load.get(n) - quota.get(n));
            if (d > furthest) {
                found = n;
                furthest = d;
            }
        }
        return found;
    }

    /**
     * A segment holding {@code over} and not {@code under}, where {@code over} is not pinned:
     * preferably one {@code over} does not master, so masters stay where they are; -1 if none.
     */
    private int segmentToMoveFrom(Integer over, Integer under) {
        int segment = -1;
        for (int s = 0; s < segments; s++) {
            List<Integer> list = lists.get(s);
            int i = list.indexOf(over);
            if (i >= 0 && !list.contains(under) && pinned[s] != over) {
                if (i > 0) {
                    return s;
                }
                if (segment < 0) {
                    segment = s; // a master position only if nothing else qualifies
                }
            }
        }
        return segment;
    }

    /** Step 5, masters: a list headed by a suspended node gets its active replicas first, order kept. */
    private void demoteSuspendedMasters() {
        for (List<Integer> list : lists) {
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
    }
}

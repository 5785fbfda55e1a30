package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class SegmentPlacementTest {

    private static final int S = 256;

    private static List<Integer> ids(int n) {
        // not 1..n, to make sure nothing depends on dense ids
        return IntStream.range(0, n).mapToObj(i -> 1000 + i * 7).collect(Collectors.toList());
    }

    private static Map<Integer, Integer> replicaCounts(List<List<Integer>> a, Set<Integer> nodes) {
        Map<Integer, Integer> c = new TreeMap<>();
        nodes.forEach(n -> c.put(n, 0));
        a.forEach(l -> l.forEach(n -> c.merge(n, 1, Integer::sum)));
        return c;
    }

    private static Map<Integer, Integer> masterCounts(List<List<Integer>> a, Set<Integer> nodes) {
        Map<Integer, Integer> c = new TreeMap<>();
        nodes.forEach(n -> c.put(n, 0));
        a.forEach(l -> c.merge(l.get(0), 1, Integer::sum));
        return c;
    }

    private static int spread(Map<Integer, Integer> counts) {
        return counts.values().stream().mapToInt(i -> i).max().orElse(0)
                - counts.values().stream().mapToInt(i -> i).min().orElse(0);
    }

    /** Replicas present in {@code after} that were not in {@code before}, summed over segments. */
    private static int added(List<List<Integer>> before, List<List<Integer>> after) {
        int moved = 0;
        for (int s = 0; s < after.size(); s++) {
            Set<Integer> b = new HashSet<>(before.get(s));
            for (Integer n : after.get(s)) {
                if (!b.contains(n)) {
                    moved++;
                }
            }
        }
        return moved;
    }

    private static int removed(List<List<Integer>> before, List<List<Integer>> after) {
        return added(after, before);
    }

    private static void assertValid(List<List<Integer>> a, int segments, int r, Set<Integer> nodes) {
        assertEquals(segments, a.size());
        for (List<Integer> l : a) {
            assertEquals(Math.min(r, nodes.size()), l.size(), "replicas of a segment: " + l);
            assertEquals(l.size(), new HashSet<>(l).size(), "distinct: " + l);
            assertTrue(nodes.containsAll(l));
        }
    }

    @Test
    void balancedForOneToFiftyNodes() {
        for (int r = 1; r <= 3; r++) {
            for (int n = 1; n <= 50; n++) {
                Set<Integer> nodes = new TreeSet<>(ids(n));
                List<List<Integer>> a = SegmentPlacement.place(S, r, nodes, null);
                assertValid(a, S, r, nodes);
                assertTrue(spread(replicaCounts(a, nodes)) <= 1, "replicas n=" + n + " r=" + r + " " + replicaCounts(a, nodes));
                assertTrue(spread(masterCounts(a, nodes)) <= 1, "masters n=" + n + " r=" + r + " " + masterCounts(a, nodes));
            }
        }
    }

    @Test
    void joinMovesOnlyWhatTheNewNodeNeeds() {
        for (int n = 1; n < 50; n++) {
            List<Integer> all = ids(n + 1);
            Set<Integer> before = new TreeSet<>(all.subList(0, n));
            Set<Integer> after = new TreeSet<>(all);
            Integer joiner = all.get(n);
            List<List<Integer>> a = SegmentPlacement.place(S, 3, before, null);
            List<List<Integer>> b = SegmentPlacement.place(S, 3, after, a);
            assertValid(b, S, 3, after);
            int r0 = Math.min(3, n);
            int r1 = Math.min(3, n + 1);
            int ideal = S * r1 / (n + 1); // floor of the joiner's share
            int moved = added(a, b);
            int newReplicas = S * (r1 - r0); // replicas that must be created because r grew
            assertTrue(moved <= ideal + 1 + newReplicas, "n=" + n + " moved=" + moved + " ideal=" + ideal);
            // everything added went to the joiner, unless r itself grew
            if (r0 == r1) {
                for (int s = 0; s < S; s++) {
                    Set<Integer> added = new HashSet<>(b.get(s));
                    added.removeAll(a.get(s));
                    assertTrue(added.isEmpty() || added.equals(Set.of(joiner)), "segment " + s);
                }
            }
            assertTrue(spread(replicaCounts(b, after)) <= 1);
            assertTrue(spread(masterCounts(b, after)) <= 1, "masters n=" + (n + 1) + " " + masterCounts(b, after));
        }
    }

    @Test
    void leaveReassignsOnlyTheLeaversReplicas() {
        for (int n = 2; n <= 50; n++) {
            List<Integer> all = ids(n);
            Set<Integer> before = new TreeSet<>(all);
            List<List<Integer>> a = SegmentPlacement.place(S, 3, before, null);
            Integer leaver = all.get(n / 2);
            Set<Integer> after = new TreeSet<>(before);
            after.remove(leaver);
            List<List<Integer>> b = SegmentPlacement.place(S, 3, after, a);
            assertValid(b, S, 3, after);
            int held = replicaCounts(a, before).get(leaver);
            int mustCreate = Math.min(3, n - 1) < Math.min(3, n) ? 0 : held;
            assertEquals(mustCreate, added(a, b), "n=" + n);
            // nothing but the leaver's replicas (or, when r shrinks, exactly those) went away
            assertEquals(held, removed(a, b), "n=" + n);
            assertTrue(spread(replicaCounts(b, after)) <= 1, "n=" + n);
            assertTrue(spread(masterCounts(b, after)) <= 1, "n=" + n);
            // a segment the leaver did not master keeps its master unless master levelling needed it
            for (int s = 0; s < S; s++) {
                if (a.get(s).get(0).equals(leaver)) {
                    assertTrue(b.get(s).contains(a.get(s).get(1)), "successor still a replica");
                }
            }
        }
    }

    @Test
    void leaverMastershipGoesToNextReplica() {
        Set<Integer> nodes = new TreeSet<>(ids(6));
        List<List<Integer>> a = SegmentPlacement.place(S, 3, nodes, null);
        Integer leaver = ids(6).get(2);
        Set<Integer> after = new TreeSet<>(nodes);
        after.remove(leaver);
        List<List<Integer>> b = SegmentPlacement.place(S, 3, after, a);
        int sameMaster = 0;
        int successor = 0;
        int lost = 0;
        for (int s = 0; s < S; s++) {
            if (a.get(s).get(0).equals(leaver)) {
                lost++;
                if (b.get(s).get(0).equals(a.get(s).get(1))) {
                    successor++;
                }
            } else if (b.get(s).get(0).equals(a.get(s).get(0))) {
                sameMaster++;
            }
        }
        // most masters stay; most lost ones go to the next replica (levelling may move a few)
        assertTrue(sameMaster >= (S - lost) * 9 / 10, "same=" + sameMaster + " lost=" + lost);
        assertTrue(successor >= lost * 2 / 3, "successor=" + successor + " lost=" + lost);
    }

    @Test
    void suspendedNodeKeepsReplicasButLosesMasters() {
        Set<Integer> nodes = new TreeSet<>(ids(5));
        List<List<Integer>> a = SegmentPlacement.place(S, 3, nodes, null);
        Integer down = ids(5).get(1);
        List<List<Integer>> b = SegmentPlacement.place(S, 3, nodes, Set.of(down), a);
        assertEquals(0, added(a, b));
        assertEquals(0, removed(a, b));
        for (List<Integer> l : b) {
            assertTrue(!l.get(0).equals(down));
        }
        Set<Integer> live = new TreeSet<>(nodes);
        live.remove(down);
        assertTrue(spread(masterCounts(b, live)) <= 1, masterCounts(b, live).toString());
        // grace expired: only its replicas are re-created
        List<List<Integer>> c = SegmentPlacement.place(S, 3, live, b);
        assertEquals(replicaCounts(a, nodes).get(down), added(b, c));
        // it came back within grace instead: no data moves
        List<List<Integer>> d = SegmentPlacement.place(S, 3, nodes, b);
        assertEquals(0, added(b, d));
        assertTrue(spread(masterCounts(d, nodes)) <= 1);
    }

    @Test
    void deterministic() {
        for (int n = 1; n <= 20; n++) {
            List<Integer> nodes = ids(n);
            List<Integer> shuffled = new ArrayList<>(nodes);
            java.util.Collections.reverse(shuffled);
            List<List<Integer>> a = SegmentPlacement.place(S, 3, nodes, null);
            assertEquals(a, SegmentPlacement.place(S, 3, shuffled, null));
            Set<Integer> fewer = new TreeSet<>(nodes);
            fewer.remove(nodes.get(0));
            assertEquals(SegmentPlacement.place(S, 3, fewer, a), SegmentPlacement.place(S, 3, fewer, a));
            // a placement of itself is stable
            assertEquals(a, SegmentPlacement.place(S, 3, nodes, a));
        }
    }

    @Test
    void replicationFactorOneThreeTwoMovesOnlyWhatMust() {
        for (int n : new int[] {3, 4, 5, 7, 10, 16, 33, 50}) {
            Set<Integer> nodes = new TreeSet<>(ids(n));
            List<List<Integer>> r1 = SegmentPlacement.place(S, 1, nodes, null);
            List<List<Integer>> r3 = SegmentPlacement.place(S, 3, nodes, r1);
            assertValid(r3, S, 3, nodes);
            assertEquals(0, removed(r1, r3), "1->3 n=" + n + " removed");
            assertEquals(2 * S, added(r1, r3), "1->3 n=" + n + " added");
            assertTrue(spread(replicaCounts(r3, nodes)) <= 1);
            List<List<Integer>> r2 = SegmentPlacement.place(S, 2, nodes, r3);
            assertValid(r2, S, 2, nodes);
            // ideal: one replica dropped per segment, none added; levelling may add a handful
            int extra = added(r3, r2);
            assertEquals(S + extra, removed(r3, r2));
            assertTrue(extra <= n, "3->2 n=" + n + " extra moves " + extra);
            assertTrue(spread(replicaCounts(r2, nodes)) <= 1);
            assertTrue(spread(masterCounts(r2, nodes)) <= 1);
            for (int s = 0; s < S; s++) {
                assertEquals(r3.get(s).get(0), r2.get(s).get(0), "masters kept when dropping replicas");
            }
        }
    }

    @Test
    void oneNodeOwnsEverything() {
        List<List<Integer>> a = SegmentPlacement.place(S, 3, Set.of(42), null);
        assertValid(a, S, 1, Set.of(42));
        a.forEach(l -> assertEquals(List.of(42), l));
    }

    @Test
    void noNodesGivesEmptyLists() {
        List<List<Integer>> a = SegmentPlacement.place(8, 3, Set.of(), null);
        assertEquals(8, a.size());
        a.forEach(l -> assertTrue(l.isEmpty()));
    }

    @Test
    void sequenceOfJoinsAndLeavesStaysBalanced() {
        List<List<Integer>> a = null;
        TreeSet<Integer> nodes = new TreeSet<>();
        java.util.Random rnd = new java.util.Random(7);
        for (int step = 0; step < 200; step++) {
            if (nodes.size() < 2 || (nodes.size() < 40 && rnd.nextBoolean())) {
                nodes.add(rnd.nextInt(100_000) + 1);
            } else {
                List<Integer> l = new ArrayList<>(nodes);
                nodes.remove(l.get(rnd.nextInt(l.size())));
            }
            a = SegmentPlacement.place(S, 3, nodes, a);
            assertValid(a, S, 3, nodes);
            assertTrue(spread(replicaCounts(a, nodes)) <= 1, "step " + step);
            assertTrue(spread(masterCounts(a, nodes)) <= 1, "step " + step + " " + masterCounts(a, nodes));
        }
    }

    @Test
    void pinOfAReplicaMakesItMasterAndMovesNothingElse() {
        Set<Integer> nodes = new TreeSet<>(ids(5));
        List<List<Integer>> a = SegmentPlacement.place(S, 3, nodes, null);
        int seg = 17;
        Integer pin = a.get(seg).get(2); // a replica, not the master
        List<List<Integer>> b = SegmentPlacement.place(S, 3, nodes, Set.of(), a, Map.of(seg, pin));
        assertValid(b, S, 3, nodes);
        assertEquals(pin, b.get(seg).get(0));
        assertEquals(0, added(a, b), "no data moves");
        assertEquals(new HashSet<>(a.get(seg)), new HashSet<>(b.get(seg)));
        // stable: the same input gives the same map, so the controller writes nothing more
        assertEquals(b, SegmentPlacement.place(S, 3, nodes, Set.of(), b, Map.of(seg, pin)));
        // unpinned: it may stay master (nothing forces a change)
        List<List<Integer>> c = SegmentPlacement.place(S, 3, nodes, Set.of(), b, Map.of());
        assertEquals(0, added(b, c));
        assertTrue(spread(masterCounts(c, nodes)) <= 1, masterCounts(c, nodes).toString());
    }

    @Test
    void pinOfANonReplicaAddsItAndKeepsR() {
        Set<Integer> nodes = new TreeSet<>(ids(6));
        List<List<Integer>> a = SegmentPlacement.place(S, 2, nodes, null);
        int seg = 5;
        Integer pin = nodes.stream().filter(n -> !a.get(seg).contains(n)).findFirst().orElseThrow();
        List<List<Integer>> b = SegmentPlacement.place(S, 2, nodes, Set.of(), a, Map.of(seg, pin));
        assertValid(b, S, 2, nodes);
        assertEquals(pin, b.get(seg).get(0));
        assertTrue(b.get(seg).contains(a.get(seg).get(0)), "the old master stays a replica");
        // the pinned replica plus at most one levelling move
        assertTrue(added(a, b) <= 2, "added " + added(a, b));
        assertTrue(spread(replicaCounts(b, nodes)) <= 1, replicaCounts(b, nodes).toString());
        assertEquals(b, SegmentPlacement.place(S, 2, nodes, Set.of(), b, Map.of(seg, pin)));
    }

    @Test
    void pinsHoldThroughJoinsAndManyPinsOnOneNode() {
        List<Integer> all = ids(5);
        Set<Integer> four = new TreeSet<>(all.subList(0, 4));
        Integer pin = all.get(0);
        Map<Integer, Integer> pins = new TreeMap<>();
        for (int s = 0; s < 40; s++) {
            pins.put(s, pin);
        }
        List<List<Integer>> a = SegmentPlacement.place(S, 3, four, Set.of(), null, pins);
        assertValid(a, S, 3, four);
        Set<Integer> five = new TreeSet<>(all);
        List<List<Integer>> b = SegmentPlacement.place(S, 3, five, Set.of(), a, pins);
        assertValid(b, S, 3, five);
        for (int s = 0; s < 40; s++) {
            assertEquals(pin, a.get(s).get(0));
            assertEquals(pin, b.get(s).get(0));
        }
        assertTrue(spread(replicaCounts(b, five)) <= 1, replicaCounts(b, five).toString());
    }

    @Test
    void pinnedNodeDownLosesMastershipAndGetsItBack() {
        Set<Integer> nodes = new TreeSet<>(ids(4));
        Integer pin = ids(4).get(3);
        Map<Integer, Integer> pins = Map.of(3, pin);
        List<List<Integer>> a = SegmentPlacement.place(S, 3, nodes, Set.of(), null, pins);
        assertEquals(pin, a.get(3).get(0));
        // suspended (inside the grace period): not master, still a replica
        List<List<Integer>> b = SegmentPlacement.place(S, 3, nodes, Set.of(pin), a, pins);
        assertTrue(!b.get(3).get(0).equals(pin) && b.get(3).contains(pin), b.get(3).toString());
        // back: master again, no data moved
        List<List<Integer>> c = SegmentPlacement.place(S, 3, nodes, Set.of(), b, pins);
        assertEquals(pin, c.get(3).get(0));
        assertEquals(0, added(b, c));
        // gone after the grace period: the pin has no effect, the segment still has 3 replicas
        Set<Integer> rest = new TreeSet<>(nodes);
        rest.remove(pin);
        List<List<Integer>> d = SegmentPlacement.place(S, 3, rest, Set.of(), b, pins);
        assertValid(d, S, 3, rest);
        // pins of unknown segments or nodes are ignored
        assertEquals(d, SegmentPlacement.place(S, 3, rest, Set.of(), b, Map.of(3, pin, S + 5, ids(4).get(0), 7, 99)));
    }
}

package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The controller's way from the published replica lists to the placement's target. */
class ReplicaTransitionTest {

    private static final Set<Integer> LIVE = Set.of(1, 2, 3, 4);

    private static List<List<Integer>> lists(int segments, List<Integer> each) {
        List<List<Integer>> out = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            out.add(each);
        }
        return out;
    }

    @Test
    void theFirstMapServesItsTargetAtOnce() {
        List<List<Integer>> target = lists(4, List.of(1, 2, 3));
        ReplicaTransition.Published p = ReplicaTransition.next(target, null, Map.of(), Map.of(), LIVE, LIVE, 2, 1);
        assertEquals(target, p.segments());
        assertTrue(p.syncing().isEmpty());
    }

    @Test
    void addedReplicasSyncAFewAtATimeAndServeOnceCaughtUp() {
        int segments = 10;
        List<List<Integer>> published = lists(segments, List.of(1, 2));
        List<List<Integer>> target = lists(segments, List.of(1, 2, 3));
        Map<Integer, Map<Integer, Long>> syncing = Map.of();
        int maps = 0;
        long epoch = 10;
        while (!published.equals(target) || !syncing.isEmpty()) {
            assertTrue(maps++ < 20, "no progress");
            Map<Integer, Map<Integer, Long>> caught = new HashMap<>();
            Map<Integer, Long> reports = new TreeMap<>();
            syncing.forEach((s, m) -> reports.put(s, m.get(3))); // node 3 catches up everything it syncs
            caught.put(3, reports);
            ReplicaTransition.Published p = ReplicaTransition.next(target, published, syncing, caught, LIVE, LIVE, 3, ++epoch);
            int now = p.syncing().values().stream().mapToInt(Map::size).sum();
            assertTrue(now <= 3, "at most 3 replicas syncing at once, saw " + now);
            for (int s = 0; s < segments; s++) {
                List<Integer> list = p.segments().get(s);
                assertEquals(1, list.get(0), "the master stays a serving replica: " + list);
                if (p.syncing().containsKey(s)) {
                    assertEquals(List.of(1, 2, 3), list, "a syncing replica is listed last");
                    assertEquals(epoch, p.syncing().get(s).get(3), "it started syncing in this map");
                }
            }
            published = p.segments();
            syncing = p.syncing();
        }
        assertTrue(syncing.isEmpty());
        assertTrue(maps >= segments / 3, "segments gained their replica over several maps: " + maps);
    }

    @Test
    void aReportForAnEarlierSyncingRoundDoesNotPromote() {
        List<List<Integer>> published = List.of(List.of(1, 2, 3));
        Map<Integer, Map<Integer, Long>> syncing = Map.of(0, Map.of(3, 7L));
        Map<Integer, Map<Integer, Long>> stale = Map.of(3, Map.of(0, 5L));
        ReplicaTransition.Published p = ReplicaTransition.next(published, published, syncing, stale, LIVE, LIVE, 4, 8);
        assertEquals(Map.of(3, 7L), p.syncing().get(0), "still syncing since epoch 7");
        ReplicaTransition.Published q = ReplicaTransition.next(published, published, syncing, Map.of(3, Map.of(0, 7L)),
                LIVE, LIVE, 4, 9);
        assertTrue(q.syncing().isEmpty(), "the report for epoch 7 makes it serve");
    }

    @Test
    void aMovedReplicaLeavesOnlyAfterItsReplacementServes() {
        List<List<Integer>> published = List.of(List.of(1, 2, 3));
        List<List<Integer>> target = List.of(List.of(4, 2, 3)); // node 4 joined and takes the master role
        ReplicaTransition.Published p = ReplicaTransition.next(target, published, Map.of(), Map.of(), LIVE, LIVE, 4, 5);
        List<Integer> list = p.segments().get(0);
        assertEquals(Set.of(4), p.syncing().get(0).keySet());
        assertEquals(Set.of(1, 2, 3, 4), Set.copyOf(list), "node 1 keeps its copy meanwhile: " + list);
        assertFalse(list.get(0) == 4, "a syncing replica is not master: " + list);
        assertEquals(4, list.get(list.size() - 1));

        ReplicaTransition.Published q = ReplicaTransition.next(target, p.segments(), p.syncing(),
                Map.of(4, Map.of(0, 5L)), LIVE, LIVE, 4, 6);
        assertEquals(List.of(4, 2, 3), q.segments().get(0), "node 4 serves and masters, node 1 left");
        assertTrue(q.syncing().isEmpty());
    }

    @Test
    void droppedReplicasLeaveAtOnce() {
        List<List<Integer>> published = lists(3, List.of(1, 2, 3));
        List<List<Integer>> target = lists(3, List.of(1, 2));
        ReplicaTransition.Published p = ReplicaTransition.next(target, published, Map.of(), Map.of(), LIVE, LIVE, 1, 5);
        assertEquals(target, p.segments());
    }

    @Test
    void withNoLiveServingReplicaTheNewOnesServeWhatTheyHave() {
        // node 1 held the segment alone and is gone past its grace; node 2 is the new replica
        List<List<Integer>> published = List.of(List.of(1));
        List<List<Integer>> target = List.of(List.of(2));
        Set<Integer> live = Set.of(2);
        ReplicaTransition.Published p = ReplicaTransition.next(target, published, Map.of(), Map.of(), live, live, 4, 5);
        assertEquals(List.of(List.of(2)), p.segments());
        assertTrue(p.syncing().isEmpty());
    }

    @Test
    void aSyncingReplicaThatIsNoLongerWantedIsDropped() {
        List<List<Integer>> published = List.of(List.of(1, 2, 3));
        Map<Integer, Map<Integer, Long>> syncing = Map.of(0, Map.of(3, 4L));
        List<List<Integer>> target = List.of(List.of(1, 2));
        ReplicaTransition.Published p = ReplicaTransition.next(target, published, syncing, Map.of(), LIVE, LIVE, 4, 5);
        assertEquals(List.of(List.of(1, 2)), p.segments());
        assertTrue(p.syncing().isEmpty());
    }
}

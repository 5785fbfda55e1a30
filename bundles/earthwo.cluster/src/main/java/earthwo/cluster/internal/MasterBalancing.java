package earthwo.cluster.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Step 5 of {@link SegmentPlacement}: levels the master counts of the active nodes to
 * max − min ≤ 1 where the replica lists allow it. Along an augmenting path of segments (master x,
 * replica y) the master role moves one step each, so only the nodes at the ends of the path
 * change their master count. Masters move only inside replica lists (no data moves), and a
 * pinned master never moves.
 */
final class MasterBalancing {

    private MasterBalancing() {
    }

    /** Swaps masters within the lists until the counts are level or no path is left. */
    static void levelMasterCounts(List<List<Integer>> lists, Set<Integer> active, int[] pinned) {
        if (active.size() < 2) {
            return;
        }
        Map<Integer, Integer> masters = new TreeMap<>();
        for (Integer n : active) {
            masters.put(n, 0);
        }
        for (List<Integer> list : lists) {
            if (!list.isEmpty() && active.contains(list.get(0))) {
                masters.merge(list.get(0), 1, Integer::sum);
            }
        }
        int guard = lists.size() * active.size() + 1;
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
                List<int[]> path = findPath(lists, active, masters, source, max - 2, pinned);
                if (path != null) {
                    for (int[] step : path) { // {segment, index of the new master}
                        List<Integer> list = lists.get(step[0]);
                        Integer oldMaster = list.get(0);
                        list.set(0, list.get(step[1]));
                        list.set(step[1], oldMaster);
                    }
                    masters.merge(source, -1, Integer::sum);
                    Integer sink = lists.get(path.get(path.size() - 1)[0]).get(0);
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
    private static List<int[]> findPath(List<List<Integer>> lists, Set<Integer> active,
            Map<Integer, Integer> masters, Integer source, int limit, int[] pinned) {
        Map<Integer, int[]> via = new HashMap<>(); // node -> {segment, index} that reached it
        Map<Integer, Integer> parent = new HashMap<>();
        Set<Integer> seen = new HashSet<>();
        seen.add(source);
        List<Integer> frontier = new ArrayList<>(List.of(source));
        Map<Integer, List<Integer>> mastered = new HashMap<>();
        for (int s = 0; s < lists.size(); s++) {
            List<Integer> list = lists.get(s);
            if (!list.isEmpty() && pinned[s] < 0) { // a pinned master never moves
                mastered.computeIfAbsent(list.get(0), k -> new ArrayList<>()).add(s);
            }
        }
        while (!frontier.isEmpty()) {
            List<Integer> next = new ArrayList<>();
            for (Integer x : frontier) {
                for (Integer s : mastered.getOrDefault(x, List.of())) {
                    List<Integer> list = lists.get(s);
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

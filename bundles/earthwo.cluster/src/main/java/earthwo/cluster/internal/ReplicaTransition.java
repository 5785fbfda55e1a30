package earthwo.cluster.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Moves the published replica lists towards the placement's target a few segments at a time,
 * make-before-break (DESIGN §4, §5): a replica the target adds first joins its segment as
 * <em>syncing</em> (takes writes, serves no reads, never master); it serves once it reported that
 * anti-entropy with the master found it caught up. A replica the target drops stays until the
 * segment's new replicas serve, so the segment never has fewer serving copies than before.
 * At most {@code maxSyncing} replicas catch up at once across the cluster; the other additions
 * wait for a later map. A pure function, so the controller's rules are tested without ZooKeeper.
 */
final class ReplicaTransition {

    /** The published replica lists (master first, syncing last) and the syncing replicas. */
    record Published(List<List<Integer>> segments, Map<Integer, Map<Integer, Long>> syncing) {
    }

    private ReplicaTransition() {
    }

    /**
     * @param target the placement's wanted replica lists (master first)
     * @param previous the previous published lists, or null (first map: the target serves at once)
     * @param previousSyncing segment → (syncing node → epoch it started syncing) of the previous map
     * @param caughtUp node → (segment → the syncing-since epoch it caught up for), as reported
     * @param live nodes registered now
     * @param members live nodes plus nodes inside their grace period
     * @param maxSyncing how many replicas may be syncing at once
     * @param epoch the epoch of the map being computed (start epoch of new syncing replicas)
     */
    static Published next(List<List<Integer>> target, List<List<Integer>> previous,
                          Map<Integer, Map<Integer, Long>> previousSyncing, Map<Integer, Map<Integer, Long>> caughtUp,
                          Set<Integer> live, Set<Integer> members, int maxSyncing, long epoch) {
        int segments = target.size();
        if (previous == null || previous.size() != segments) {
            return new Published(copy(target), Map.of());
        }
        List<Set<Integer>> serving = new ArrayList<>(segments);
        List<Map<Integer, Long>> syncing = new ArrayList<>(segments);
        int syncingCount = 0;
        // 1. what serves and what still syncs, after the reports since the previous map
        for (int s = 0; s < segments; s++) {
            Map<Integer, Long> was = previousSyncing.getOrDefault(s, Map.of());
            Set<Integer> serve = new LinkedHashSet<>();
            for (int n : previous.get(s)) {
                if (members.contains(n) && !was.containsKey(n)) {
                    serve.add(n);
                }
            }
            Map<Integer, Long> still = new TreeMap<>();
            for (Map.Entry<Integer, Long> e : was.entrySet()) {
                int n = e.getKey();
                if (!members.contains(n) || !target.get(s).contains(n)) {
                    continue; // gone, or no longer wanted here: it never served, just drop it
                }
                Long reported = caughtUp.getOrDefault(n, Map.of()).get(s);
                if (reported != null && reported.longValue() == e.getValue().longValue() && live.contains(n)) {
                    serve.add(n);
                } else {
                    still.put(n, e.getValue());
                }
            }
            if (!hasLive(serve, live)) {
                // nobody live to copy from: the wanted live replicas serve what they have
                for (int n : target.get(s)) {
                    if (live.contains(n)) {
                        serve.add(n);
                        still.remove(n);
                    }
                }
            }
            serving.add(serve);
            syncing.add(still);
            syncingCount += still.size();
        }
        // 2. start new additions while there is room, then order each list
        int room = Math.max(0, maxSyncing - syncingCount);
        List<List<Integer>> out = new ArrayList<>(segments);
        Map<Integer, Map<Integer, Long>> outSyncing = new TreeMap<>();
        for (int s = 0; s < segments; s++) {
            List<Integer> want = target.get(s);
            Set<Integer> serve = serving.get(s);
            Map<Integer, Long> sync = syncing.get(s);
            for (int n : want) {
                if (!serve.contains(n) && !sync.containsKey(n) && live.contains(n) && room > 0) {
                    sync.put(n, epoch);
                    room--;
                }
            }
            boolean complete = serve.containsAll(want);
            List<Integer> list = new ArrayList<>();
            for (int n : want) {
                if (serve.contains(n)) {
                    list.add(n);
                }
            }
            if (!complete) {
                // make-before-break: replicas the target drops keep serving until it is complete
                for (int n : serve) {
                    if (!want.contains(n) && live.contains(n)) {
                        list.add(n);
                    }
                }
                for (int n : serve) {
                    if (!want.contains(n) && !live.contains(n)) {
                        list.add(n);
                    }
                }
            }
            for (int n : want) {
                if (sync.containsKey(n)) {
                    list.add(n);
                }
            }
            masterFirst(list, sync.keySet(), live);
            out.add(List.copyOf(list));
            if (!sync.isEmpty()) {
                outSyncing.put(s, Map.copyOf(sync));
            }
        }
        return new Published(out, outSyncing);
    }

    /** The master must be a live serving replica when there is one. */
    private static void masterFirst(List<Integer> list, Set<Integer> syncing, Set<Integer> live) {
        for (int i = 0; i < list.size(); i++) {
            int n = list.get(i);
            if (!syncing.contains(n) && live.contains(n)) {
                if (i > 0) {
                    list.remove(i);
                    list.add(0, n);
                }
                return;
            }
        }
    }

    private static boolean hasLive(Set<Integer> nodes, Set<Integer> live) {
        for (int n : nodes) {
            if (live.contains(n)) {
                return true;
            }
        }
        return false;
    }

    private static List<List<Integer>> copy(List<List<Integer>> lists) {
        List<List<Integer>> out = new ArrayList<>(lists.size());
        for (List<Integer> l : lists) {
            out.add(List.copyOf(l));
        }
        return out;
    }
}

package earthwo.replication.internal.antientropy;

import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a map change starts an anti-entropy pass at once instead of waiting for the interval. */
class PassReasonTest {

    private static SegmentMap map(long epoch, List<List<Integer>> segments, int... nodes) {
        Map<Integer, NodeInfo> infos = new TreeMap<>();
        for (int n : nodes) {
            infos.put(n, new NodeInfo(n, "127.0.0.1", 7380 + n));
        }
        return new SegmentMap(epoch, 3, segments, infos);
    }

    @Test
    void graceExpiryReCreatingReplicasStartsAPassOnTheMaster() {
        // node 4 was suspended in segments 0 and 1; after the grace node 3 replaces it
        SegmentMap before = map(5, List.of(List.of(1, 2, 4), List.of(2, 1, 4), List.of(1, 2, 3)), 1, 2, 3, 4);
        SegmentMap after = map(6, List.of(List.of(1, 2, 3), List.of(2, 1, 3), List.of(1, 2, 3)), 1, 2, 3);
        String reason = AntiEntropyComponent.passReason(before, after, 1);
        assertNotNull(reason, "node 1 masters segment 0, which has a new replica");
        assertTrue(reason.contains("1 segments"), reason);
        assertNotNull(AntiEntropyComponent.passReason(before, after, 2), "node 2 masters segment 1");
        assertNull(AntiEntropyComponent.passReason(before, after, 3), "node 3 masters nothing: the masters pass");
    }

    @Test
    void aJoiningNodeThatIsMasterAtOncePassesOnItsFirstMap() {
        SegmentMap first = map(7, List.of(List.of(4, 1, 2), List.of(1, 2, 4), List.of(2, 3, 1)), 1, 2, 3, 4);
        assertNotNull(AntiEntropyComponent.passReason(null, first, 4));
        assertNull(AntiEntropyComponent.passReason(null, first, 3), "masters nothing");
        assertNull(AntiEntropyComponent.passReason(null, map(1, List.of(List.of(1), List.of(1)), 1), 1),
                "a single replica has no one to sync with");
    }

    @Test
    void appearingNodesStartAPassAndMasterMovesAloneDoNot() {
        SegmentMap before = map(3, List.of(List.of(1, 2, 3), List.of(2, 3, 1)), 1, 2, 3);
        SegmentMap joined = map(4, List.of(List.of(1, 2, 3), List.of(2, 3, 1)), 1, 2, 3, 4);
        assertNotNull(AntiEntropyComponent.passReason(before, joined, 3), "node 4 appeared");
        SegmentMap masterMoved = map(4, List.of(List.of(2, 1, 3), List.of(3, 2, 1)), 1, 2, 3);
        assertNull(AntiEntropyComponent.passReason(before, masterMoved, 2), "same replicas, only the master moved");
        assertNull(AntiEntropyComponent.passReason(before, before, 1));
    }
}

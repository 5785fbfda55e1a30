package earthwo.replication.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Segments;
import earthwo.api.Version;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.SegmentStore;
import earthwo.storage.internal.RealStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A real JE store loses the records of segments this node stopped holding, after the delay only. */
class DroppedReplicaCleanerTest {

    private static final int S = 4;

    private static SegmentMap map(long epoch, List<Integer> segment0, List<Integer> others) {
        List<List<Integer>> all = new ArrayList<>();
        all.add(segment0);
        for (int s = 1; s < S; s++) {
            all.add(others);
        }
        return new SegmentMap(epoch, 2, all, Map.of(1, new NodeInfo(1, "127.0.0.1", 7381),
                2, new NodeInfo(2, "127.0.0.1", 7382), 3, new NodeInfo(3, "127.0.0.1", 7383)));
    }

    @Test
    void aSegmentNotHeldForTheDelayIsEmptiedOthersAreKept(@TempDir Path dir) {
        SegmentStore store = RealStores.open(dir, S);
        try {
            for (int i = 0; i < 2500; i++) {
                byte[] k = Keys.utf8("k" + i);
                store.apply(Segments.segmentOf(k, S), Record.value(k, Keys.utf8("v"), Version.of(1000 + i, 0, 2), 0));
            }
            long held0 = store.count(0);
            long total = 0;
            for (int s = 0; s < S; s++) {
                total += store.count(s);
            }
            AtomicLong now = new AtomicLong(10_000);
            AtomicReference<SegmentMap> current = new AtomicReference<>(map(1, List.of(1, 2), List.of(1, 2)));
            DroppedReplicaCleaner cleaner = new DroppedReplicaCleaner(store, current::get, 1, 5_000, now::get);
            cleaner.onMap(current.get());

            current.set(map(2, List.of(2, 3), List.of(1, 2))); // node 1 no longer holds segment 0
            cleaner.onMap(current.get());
            now.addAndGet(4_000);
            assertEquals(0, cleaner.runOnce(), "kept within the delay");
            assertEquals(held0, store.count(0));

            now.addAndGet(1_000);
            assertEquals(held0, cleaner.runOnce());
            assertEquals(0, store.count(0), "segment 0 emptied");
            assertEquals(total - held0, store.count(1) + store.count(2) + store.count(3), "held segments untouched");
            assertEquals(1, cleaner.segmentsCleared.sum());

            // segments 1..3 dropped, then held again before the delay ran out: nothing is removed
            current.set(map(3, List.of(1, 2), List.of(2, 3)));
            cleaner.onMap(current.get());
            current.set(map(4, List.of(1, 2), List.of(1, 2)));
            cleaner.onMap(current.get());
            now.addAndGet(10_000);
            assertEquals(0, cleaner.runOnce(), "segments held again are left alone");
            assertEquals(total - held0, store.count(1) + store.count(2) + store.count(3));
        } finally {
            RealStores.close(store);
        }
    }
}

package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import earthwo.api.cluster.SegmentMap;
import earthwo.cluster.internal.MapCodec.MapDoc;
import earthwo.cluster.internal.SegmentMapCache.Source;

/** Which map the node serves on: one kept on disk until ZooKeeper's arrives, then the newest. */
class SegmentMapCacheTest {

    private final List<Long> keptOnDisk = new CopyOnWriteArrayList<>();
    private final List<Long> heard = new CopyOnWriteArrayList<>();
    private final SegmentMapCache cache = new SegmentMapCache(7, "c1", doc -> { }, doc -> keptOnDisk.add(doc.epoch));

    @Test
    void aKeptMapStandsInUntilZooKeepersArrivesEvenWithALowerEpoch() throws Exception {
        cache.onMapChange(m -> heard.add(m.epoch()));
        assertEquals(Source.NONE, cache.source());
        assertTrue(cache.offerKept(PersistedMapTest.map(20)));
        assertTrue(cache.awaitFirstMap(0, TimeUnit.MILLISECONDS));
        assertEquals(Source.DISK, cache.source());
        assertEquals(20, cache.epoch());
        assertEquals(List.of(), keptOnDisk, "a map from disk is not written back");

        // ZooKeeper's data was made anew: its map is the cluster's, whatever the epoch
        cache.onMapData(MapCodec.encode(PersistedMapTest.map(3)));
        assertEquals(Source.ZOOKEEPER, cache.source());
        assertEquals(3, cache.epoch());
        assertEquals(List.of(3L), keptOnDisk);

        cache.onMapData(MapCodec.encode(PersistedMapTest.map(2)));
        assertEquals(3, cache.epoch(), "from then on only newer epochs count");
        assertFalse(cache.offerKept(PersistedMapTest.map(50)), "a kept map never replaces a known one");
        cache.onMapData(MapCodec.encode(PersistedMapTest.map(4)));
        assertEquals(4, cache.epoch());
        assertEquals(List.of(3L, 4L), keptOnDisk, "every newer map from ZooKeeper is kept");
        assertEquals(List.of(20L, 3L, 4L), heard);
    }

    @Test
    void aKeptMapIsIgnoredOnceZooKeepersIsKnown() {
        cache.onMapData(MapCodec.encode(PersistedMapTest.map(8)));
        assertFalse(cache.offerKept(PersistedMapTest.map(9)));
        SegmentMap m = cache.currentMap();
        assertEquals(8, m.epoch());
        assertEquals(Source.ZOOKEEPER, cache.source());
    }

    @Test
    void aMapFromZooKeeperWithTheKeptEpochTakesOverAsTheSource() {
        MapDoc kept = PersistedMapTest.map(5);
        cache.offerKept(kept);
        cache.onMapData(MapCodec.encode(PersistedMapTest.map(5)));
        assertEquals(Source.ZOOKEEPER, cache.source());
    }
}

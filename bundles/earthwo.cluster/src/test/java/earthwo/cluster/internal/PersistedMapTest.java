package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import earthwo.cluster.internal.MapCodec.MapDoc;
import earthwo.cluster.internal.MapCodec.NodeDoc;

/** The segment map a node keeps in its data directory for a restart without ZooKeeper. */
class PersistedMapTest {

    @TempDir
    Path dir;

    static MapDoc map(long epoch) {
        MapDoc m = new MapDoc();
        m.epoch = epoch;
        m.replicas = 2;
        m.controller = 7;
        m.segments = new ArrayList<>(List.of(List.of(7, 9), List.of(9, 7), List.of(7, 9), List.of(9, 7)));
        m.nodes = new ArrayList<>(List.of(new NodeDoc(7, "127.0.0.1", 7381, 0x1234L),
                new NodeDoc(9, "127.0.0.1", 7382, 0x5678L)));
        m.down = new TreeMap<>();
        m.syncing = new TreeMap<>(Map.of(3, Map.of(9, epoch - 1)));
        return m;
    }

    @Test
    void aMapWrittenIsReadBackWhole() throws Exception {
        PersistedMap kept = new PersistedMap(dir, "c1", 7);
        assertNull(kept.read(), "no file: a node that never joined");
        kept.write(map(12));
        MapDoc back = kept.read();
        assertNotNull(back);
        assertEquals(12, back.epoch);
        assertTrue(back.sameContent(map(12)), "segments, nodes with their sessions, syncing, controller");
        assertEquals(map(12).toSegmentMap().allSyncing(), back.toSegmentMap().allSyncing());

        kept.write(map(13));
        assertEquals(13, kept.read().epoch, "a newer map replaces the file");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(PersistedMap.FILE), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary file left behind");
        }
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(kept.file()), "the node's own, like its other files");
    }

    @Test
    void aMapOfAnotherClusterOrAFileThatDoesNotParseIsNotServedOn() throws Exception {
        new PersistedMap(dir, "c1", 7).write(map(5));
        assertNull(new PersistedMap(dir, "c2", 7).read(), "the data directory was another cluster's");

        Files.writeString(dir.resolve(PersistedMap.FILE), "{\"cluster\":\"c1\",\"map\":{\"epoch\":");
        assertNull(new PersistedMap(dir, "c1", 7).read());
        Files.writeString(dir.resolve(PersistedMap.FILE), "{\"cluster\":\"c1\",\"map\":{\"epoch\":3}}");
        assertNull(new PersistedMap(dir, "c1", 7).read(), "a map without segments");
        Files.writeString(dir.resolve(PersistedMap.FILE), "");
        assertNull(new PersistedMap(dir, "c1", 7).read());
    }
}

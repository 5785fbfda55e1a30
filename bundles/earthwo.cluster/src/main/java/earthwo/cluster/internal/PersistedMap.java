package earthwo.cluster.internal;

import earthwo.api.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.cluster.internal.MapCodec.KeptMapDoc;
import earthwo.cluster.internal.MapCodec.MapDoc;

/**
 * The last segment map this node saw from ZooKeeper, kept in {@value #FILE} in its data
 * directory. A node restarted while ZooKeeper is unreachable serves its replicas on it (the data
 * plane never needed ZooKeeper) instead of waiting for ZooKeeper to come back. Written whole
 * ({@link AtomicFiles}), so a crash leaves the old map or the new one, never a mix. The file names
 * its cluster: a data directory started for another cluster does not serve this one's map.
 */
final class PersistedMap {

    private static final Logger LOG = LoggerFactory.getLogger(PersistedMap.class);
    static final String FILE = "cluster-map.json";

    private final Path file;
    private final String cluster;
    private final int nodeId;

    PersistedMap(Path dataDir, String cluster, int nodeId) {
        this.file = dataDir.resolve(FILE);
        this.cluster = cluster;
        this.nodeId = nodeId;
    }

    Path file() {
        return file;
    }

    /**
     * The kept map, or null when there is none this node can use: no file (a node that never
     * joined), a file that does not parse or holds no usable map, or a map of another cluster
     * (each logged).
     */
    MapDoc read() throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        KeptMapDoc kept;
        try {
            kept = MapCodec.decodeKeptMap(Files.readAllBytes(file));
        } catch (RuntimeException e) {
            LOG.warn("node {} cluster {}: ignoring the segment map kept in {}: {}", nodeId, cluster, file, e.toString());
            return null;
        }
        if (kept == null || kept.map == null) {
            LOG.warn("node {} cluster {}: ignoring the empty segment map file {}", nodeId, cluster, file);
            return null;
        }
        if (!cluster.equals(kept.cluster)) {
            LOG.warn("node {} cluster {}: ignoring the segment map kept in {}: it is cluster {}'s", nodeId, cluster, file,
                    kept.cluster);
            return null;
        }
        String problem = problem(kept.map);
        if (problem != null) {
            LOG.warn("node {} cluster {}: ignoring the segment map kept in {}: {}", nodeId, cluster, file, problem);
            return null;
        }
        return kept.map;
    }

    /** Why the map cannot be served on, or null when it can. */
    private static String problem(MapDoc map) {
        if (map.epoch < 1) {
            return "no epoch";
        }
        if (map.segments.isEmpty() || map.replicas < 1) {
            return "no segments";
        }
        for (List<Integer> replicas : map.segments) {
            if (replicas == null) {
                return "a segment without a replica list";
            }
        }
        return null;
    }

    /** Replaces the kept map; a failure is logged (the node keeps serving, only a restart would miss it). */
    void write(MapDoc map) {
        try {
            AtomicFiles.replace(file, MapCodec.encode(new KeptMapDoc(cluster, map)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("node {} cluster {} epoch {}: could not keep the segment map in {}: {}", nodeId, cluster, map.epoch,
                    file, e.toString());
        }
    }
}

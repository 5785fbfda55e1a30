package earthwo.cluster.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.SegmentMap;

/**
 * JSON forms of the znodes (Gson).
 * <pre>
 * /earthwo/&lt;cluster&gt;/config        {"segments":256,"replicas":3,"pins":{"17":7},"policy":"MERGE"}
 * /earthwo/&lt;cluster&gt;/nodes/&lt;id&gt;    {"id":7,"host":"127.0.0.1","port":7380,"caughtUp":{"17":12},"digestAuth":true}
 * /earthwo/&lt;cluster&gt;/map           {"epoch":12,"replicas":3,"controller":7,
 *                                  "segments":[[7,9,4],[9,4,7],...],
 *                                  "nodes":[{"id":7,"host":"...","port":7380,"session":123},...],
 *                                  "down":{"4":1732400000000},
 *                                  "syncing":{"17":{"5":12}},
 *                                  "target":[[7,9,5],...]}
 * </pre>
 * {@code pins} (segment → node, absent when none) are the masters pinned with
 * {@code cluster:master}; {@code policy} (absent: MERGE) is the reconcile policy of
 * {@code cluster:policy}. Both are written by any node with a compare-and-set on the config
 * znode's version and read by the controller (pins) and by every node (policy).
 * {@code down} lists nodes that were lost but are still inside the grace period, with the time
 * (epoch ms, controller clock) they were first seen missing; they stay replicas but not masters.
 * {@code syncing} (segment → node → epoch it started) lists replicas still catching up (see
 * {@link ReplicaTransition}); a node reports in its registration's {@code caughtUp} (segment →
 * that epoch) the ones anti-entropy found in sync. {@code target} is the placement the published
 * lists move towards (absent when they are there). {@code session} is the ZooKeeper session of the
 * node's registration the map was written for: a node acts as master only with that session.
 * {@code digestAuth} in a registration says the node authenticates to ZooKeeper with the cluster's
 * identity (see {@link ZooKeeperAcl}); nodes of earlier versions leave it out, and the controller
 * restricts the znodes made before ACLs only once every node has it (see {@link LegacyAcls}).
 * <p>A node keeps the last map it saw in its data directory ({@link PersistedMap}):
 * <pre>
 * &lt;data&gt;/cluster-map.json               {"cluster":"c1","map":{ the map as above }}
 * </pre>
 */
final class MapCodec {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private MapCodec() {
    }

    static final class ConfigDoc {
        int segments;
        int replicas;
        Map<Integer, Integer> pins;
        ReconcilePolicy policy;

        ConfigDoc() { // for Gson
        }

        ConfigDoc(int segments, int replicas) {
            this.segments = segments;
            this.replicas = replicas;
        }

        /** The pins, never null (an old config has none). */
        Map<Integer, Integer> pins() {
            return pins == null ? Map.of() : pins;
        }

        /** The policy; MERGE when unset or unknown to this version. */
        ReconcilePolicy policy() {
            return policy == null ? ReconcilePolicy.MERGE : policy;
        }
    }

    static final class NodeDoc {
        int id;
        String host;
        int port;
        /** In the map: the session of the registration (0 unknown). */
        long session;
        /** In a registration: syncing replicas of this node that caught up (segment → syncing-since epoch). */
        Map<Integer, Long> caughtUp;
        /** In a registration: true when the node authenticates to ZooKeeper (null from earlier versions). */
        Boolean digestAuth;

        NodeDoc() { // for Gson
        }

        NodeDoc(int id, String host, int port) {
            this.id = id;
            this.host = host;
            this.port = port;
        }

        NodeDoc(int id, String host, int port, long session) {
            this(id, host, port);
            this.session = session;
        }

        Map<Integer, Long> caughtUp() {
            return caughtUp == null ? Map.of() : caughtUp;
        }

        boolean authenticates() {
            return Boolean.TRUE.equals(digestAuth);
        }

        NodeInfo toInfo() {
            return new NodeInfo(id, host == null ? "" : host, port);
        }
    }

    static final class MapDoc {
        long epoch;
        int replicas;
        int controller = -1;
        List<List<Integer>> segments = new ArrayList<>();
        List<NodeDoc> nodes = new ArrayList<>();
        Map<Integer, Long> down = new TreeMap<>();
        Map<Integer, Map<Integer, Long>> syncing = new TreeMap<>();
        /** Null when the published lists are the placement's target. */
        List<List<Integer>> target;

        SegmentMap toSegmentMap() {
            Map<Integer, NodeInfo> infos = new TreeMap<>();
            for (NodeDoc n : nodes) {
                infos.put(n.id, n.toInfo());
            }
            Map<Integer, java.util.Set<Integer>> sync = new TreeMap<>();
            syncing.forEach((s, m) -> sync.put(s, m.keySet()));
            return new SegmentMap(epoch, replicas, segments, infos, sync);
        }

        /** The placement the published lists move towards. */
        List<List<Integer>> target() {
            return target == null ? segments : target;
        }

        /** The session the map was written for of a node, 0 if it is not in the map. */
        long session(int node) {
            for (NodeDoc n : nodes) {
                if (n.id == node) {
                    return n.session;
                }
            }
            return 0;
        }

        /** Same content apart from the epoch. */
        boolean sameContent(MapDoc o) {
            if (o == null || replicas != o.replicas || controller != o.controller || !segments.equals(o.segments)
                    || !down.equals(o.down) || !syncing.equals(o.syncing) || !target().equals(o.target())
                    || nodes.size() != o.nodes.size()) {
                return false;
            }
            for (int i = 0; i < nodes.size(); i++) {
                if (!nodes.get(i).toInfo().equals(o.nodes.get(i).toInfo()) || nodes.get(i).session != o.nodes.get(i).session) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The map a node keeps in its data directory, with the cluster it belongs to. */
    static final class KeptMapDoc {
        String cluster;
        MapDoc map;

        KeptMapDoc() { // for Gson
        }

        KeptMapDoc(String cluster, MapDoc map) {
            this.cluster = cluster;
            this.map = map;
        }
    }

    static byte[] encode(Object doc) {
        return GSON.toJson(doc).getBytes(StandardCharsets.UTF_8);
    }

    static <T> T decode(byte[] data, Class<T> type, String what) {
        if (data == null || data.length == 0) {
            return null;
        }
        try {
            return GSON.fromJson(new String(data, StandardCharsets.UTF_8), type);
        } catch (JsonParseException e) {
            throw new IllegalStateException("malformed " + what + ": " + e.getMessage(), e);
        }
    }

    static MapDoc decodeMap(byte[] data) {
        return withDefaults(decode(data, MapDoc.class, "segment map"));
    }

    /** A kept map (null for an empty file), its map's absent parts filled in as for a znode's. */
    static KeptMapDoc decodeKeptMap(byte[] data) {
        KeptMapDoc kept = decode(data, KeptMapDoc.class, "kept segment map");
        if (kept != null) {
            kept.map = withDefaults(kept.map);
        }
        return kept;
    }

    private static MapDoc withDefaults(MapDoc doc) {
        if (doc != null) {
            if (doc.segments == null) {
                doc.segments = new ArrayList<>();
            }
            if (doc.nodes == null) {
                doc.nodes = new ArrayList<>();
            }
            if (doc.down == null) {
                doc.down = new TreeMap<>();
            }
            doc.down = new TreeMap<>(doc.down);
            doc.syncing = doc.syncing == null ? new TreeMap<>() : new TreeMap<>(doc.syncing);
        }
        return doc;
    }
}

package earthwo.cluster;

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
 * /earthwo/&lt;cluster&gt;/nodes/&lt;id&gt;    {"id":7,"host":"127.0.0.1","port":7380}
 * /earthwo/&lt;cluster&gt;/map           {"epoch":12,"replicas":3,"controller":7,
 *                                  "segments":[[7,9,4],[9,4,7],...],
 *                                  "nodes":[{"id":7,"host":"...","port":7380},...],
 *                                  "down":{"4":1732400000000}}
 * </pre>
 * {@code pins} (segment → node, absent when none) are the masters pinned with
 * {@code cluster:master}; {@code policy} (absent: MERGE) is the reconcile policy of
 * {@code cluster:policy}. Both are written by any node with a compare-and-set on the config
 * znode's version and read by the controller (pins) and by every node (policy).
 * {@code down} lists nodes that were lost but are still inside the grace period, with the time
 * (epoch ms, controller clock) they were first seen missing; they stay replicas but not masters.
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

        NodeDoc() { // for Gson
        }

        NodeDoc(int id, String host, int port) {
            this.id = id;
            this.host = host;
            this.port = port;
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

        SegmentMap toSegmentMap() {
            Map<Integer, NodeInfo> infos = new TreeMap<>();
            for (NodeDoc n : nodes) {
                infos.put(n.id, n.toInfo());
            }
            return new SegmentMap(epoch, replicas, segments, infos);
        }

        /** Same content apart from the epoch. */
        boolean sameContent(MapDoc o) {
            if (o == null || replicas != o.replicas || controller != o.controller || !segments.equals(o.segments)
                    || !down.equals(o.down) || nodes.size() != o.nodes.size()) {
                return false;
            }
            for (int i = 0; i < nodes.size(); i++) {
                if (!nodes.get(i).toInfo().equals(o.nodes.get(i).toInfo())) {
                    return false;
                }
            }
            return true;
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
        MapDoc doc = decode(data, MapDoc.class, "segment map");
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
        }
        return doc;
    }
}

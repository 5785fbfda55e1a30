package earthwo.shell.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.ReplicaSync;
import earthwo.api.cluster.SegmentMap;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Gogo commands {@code cluster:status}, {@code cluster:replicas}, {@code cluster:master} and
 * {@code cluster:policy} over the node's {@link ClusterView}.
 *
 * <p>{@code cluster:status} prints the cluster, its nodes and one line per segment: its replicas,
 * master first, each followed by a marker — {@code *} this node, {@code =} in sync with this
 * node according to the {@link ReplicaSync} service (last anti-entropy or hint replay), {@code +}
 * syncing (just added, catching up, serves no reads yet), {@code ?} not known to be in sync (this
 * node does not hold the segment, there is no ReplicaSync service, or the replica was not found in
 * sync). The header says when this node's master duties are fenced (its ZooKeeper session was
 * lost and no map for its new session has arrived yet).
 *
 * <p>Both references are optional and dynamic, as in {@link KvCommands}: without a ClusterView
 * the commands fail with {@code UNAVAILABLE: ClusterView unavailable}; without a ReplicaSync every
 * other replica shows {@code ?}.
 */
@Component(service = ClusterCommands.class, property = {
        "osgi.command.scope=cluster",
        "osgi.command.function=status",
        "osgi.command.function=replicas",
        "osgi.command.function=master",
        "osgi.command.function=policy"})
public final class ClusterCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterView view;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ReplicaSync sync;

    /** For Declarative Services. */
    public ClusterCommands() {
    }

    /** For tests: fixed services (either may be null: unavailable). */
    ClusterCommands(ClusterView view, ReplicaSync sync) {
        this.view = view;
        this.sync = sync;
    }

    @Descriptor("the cluster as this node sees it: nodes with addresses, controller, map epoch, R, reconcile "
            + "policy, ZooKeeper connection, then one line per segment: replicas, master first, each marked "
            + "* this node, = in sync with this node, ? unknown")
    public String status(
            @Descriptor("show only this segment (default: all)")
            @Parameter(names = {"--segment"}, absentValue = "-1") int segment) {
        ClusterView v = view();
        SegmentMap map = v.currentMap();
        if (map == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "no segment map yet");
        }
        if (segment < -1 || segment >= map.segmentCount()) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST,
                    "--segment must be between 0 and " + (map.segmentCount() - 1) + ", not " + segment);
        }
        int self = v.localNodeId();
        Map<Integer, Set<Integer>> inSync = inSync();
        StringBuilder sb = new StringBuilder();
        sb.append("cluster ").append(v.clusterName())
                .append(", node ").append(self)
                .append(", controller ").append(v.controllerId() < 0 ? "unknown" : String.valueOf(v.controllerId()))
                .append(", epoch ").append(map.epoch())
                .append(", R=").append(map.replicationFactor())
                .append(", policy ").append(policyName(v.reconcilePolicy()))
                .append(", ZooKeeper ").append(v.isConnected() ? "connected" : "disconnected")
                .append(fenced(v, map, self) ? ", master duties FENCED until re-elected" : "")
                .append('\n');
        sb.append("nodes (").append(map.nodes().size()).append("):\n");
        int idWidth = 1;
        for (Integer id : map.nodes().keySet()) {
            idWidth = Math.max(idWidth, String.valueOf(id).length());
        }
        for (NodeInfo n : map.nodes().values()) {
            int held = map.segmentsOf(n.id()).size();
            int mastered = 0;
            for (int s = 0; s < map.segmentCount(); s++) {
                if (map.master(s) == n.id()) {
                    mastered++;
                }
            }
            int syncing = 0;
            for (int s : map.segmentsOf(n.id())) {
                if (map.isSyncing(s, n.id())) {
                    syncing++;
                }
            }
            sb.append("  ").append(String.format("%" + idWidth + "d", n.id())).append(n.id() == self ? "*" : " ")
                    .append(' ').append(n.port() == 0 ? "(no address)" : n.address())
                    .append("  masters ").append(mastered).append(", replicas ").append(held)
                    .append(syncing > 0 ? " (" + syncing + " syncing)" : "")
                    .append(n.id() == v.controllerId() ? ", controller" : "")
                    .append('\n');
        }
        sb.append("segments (").append(map.segmentCount())
                .append("; master first; * this node, = in sync, + syncing, ? unknown):\n");
        int width = String.valueOf(map.segmentCount() - 1).length();
        int from = segment < 0 ? 0 : segment;
        int to = segment < 0 ? map.segmentCount() - 1 : segment;
        for (int s = from; s <= to; s++) {
            sb.append("  ").append(String.format("%" + width + "d", s)).append(' ');
            List<Integer> replicas = map.replicas(s);
            if (replicas.isEmpty()) {
                sb.append(" (no replica)");
            }
            Set<Integer> synced = inSync.getOrDefault(s, Set.of());
            for (Integer r : replicas) {
                char mark = r == self ? '*' : map.isSyncing(s, r) ? '+' : synced.contains(r) ? '=' : '?';
                sb.append(' ').append(r).append(mark);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** True if this node masters segments under the map but may not act as their master now. */
    private static boolean fenced(ClusterView v, SegmentMap map, int self) {
        for (int s = 0; s < map.segmentCount(); s++) {
            if (map.master(s) == self && !v.isMaster(s)) {
                return true;
            }
        }
        return false;
    }

    @Descriptor("change the replica count R of the cluster at runtime; the controller adds or drops replicas "
            + "segment by segment")
    public String replicas(@Descriptor("replicas per segment (1 or more)") int replicas) {
        if (replicas < 1) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "the replica count must be 1 or more, not " + replicas);
        }
        ClusterView v = view();
        v.setReplicationFactor(replicas);
        SegmentMap map = v.currentMap();
        int nodes = map == null ? 0 : map.nodes().size();
        String out = "replica count set to " + replicas + "; the controller adds or drops replicas segment by segment"
                + " (see cluster:status)";
        if (map != null && replicas > nodes) {
            out += "\nonly " + nodes + " node" + (nodes == 1 ? "" : "s") + ": segments keep " + nodes
                    + " replica" + (nodes == 1 ? "" : "s") + " until more join";
        }
        return out;
    }

    @Descriptor("pin the master of a segment to a node (it becomes a replica if it is not one); "
            + "NODE -1 or none removes the pin")
    public String master(
            @Descriptor("segment number") int segment,
            @Descriptor("node id, or -1 / none to unpin") String node) {
        ClusterView v = view();
        SegmentMap map = v.currentMap();
        if (map != null && (segment < 0 || segment >= map.segmentCount())) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST,
                    "segment must be between 0 and " + (map.segmentCount() - 1) + ", not " + segment);
        }
        String n = node.trim().toLowerCase(Locale.ROOT);
        int id;
        if (n.equals("none") || n.equals("-1")) {
            id = -1;
        } else {
            try {
                id = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw new EarthwoException(ErrorCode.BAD_REQUEST, "NODE must be a node id, -1 or none, not '" + node + "'");
            }
            if (id < 0) {
                throw new EarthwoException(ErrorCode.BAD_REQUEST, "NODE must be a node id, -1 or none, not '" + node + "'");
            }
            if (map != null && !map.nodes().containsKey(id)) {
                throw new EarthwoException(ErrorCode.BAD_REQUEST,
                        "node " + id + " is not in the cluster (nodes " + map.nodes().keySet() + ")");
            }
        }
        v.pinMaster(segment, id);
        if (id < 0) {
            return "segment " + segment + ": master unpinned (the controller may keep or level it)";
        }
        return "segment " + segment + ": master pinned to node " + id + " (it is master from the controller's next map"
                + " while it is up)";
    }

    @Descriptor("show the reconcile policy of the cluster (how segments reconcile after a partition)")
    public String policy() {
        return "reconcile policy: " + policyName(view().reconcilePolicy());
    }

    @Descriptor("set how segments reconcile after a partition, cluster-wide: merge (last writer wins, nothing "
            + "acknowledged is lost) or master (the segment master's copy wins)")
    public String policy(@Descriptor("merge or master") String policy) {
        ReconcilePolicy p;
        switch (policy.trim().toLowerCase(Locale.ROOT)) {
            case "merge" -> p = ReconcilePolicy.MERGE;
            case "master" -> p = ReconcilePolicy.MASTER;
            default -> throw new EarthwoException(ErrorCode.BAD_REQUEST,
                    "policy must be merge or master, not '" + policy + "'");
        }
        view().setReconcilePolicy(p);
        return "reconcile policy set to " + policyName(p);
    }

    private static String policyName(ReconcilePolicy p) {
        return p == null ? "merge" : p.name().toLowerCase(Locale.ROOT);
    }

    /** What the ReplicaSync service knows; empty without one or when it fails. */
    private Map<Integer, Set<Integer>> inSync() {
        ReplicaSync s = sync;
        if (s == null) {
            return Map.of();
        }
        try {
            Map<Integer, Set<Integer>> m = s.inSync();
            return m == null ? Map.of() : m;
        } catch (RuntimeException e) {
            return Map.of(); // going away, or not ready: everything shows as unknown
        }
    }

    /** The bound ClusterView, read once per command; fails when there is none. */
    private ClusterView view() {
        ClusterView v = view;
        if (v == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "ClusterView unavailable");
        }
        return v;
    }
}

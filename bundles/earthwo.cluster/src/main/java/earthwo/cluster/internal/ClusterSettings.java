package earthwo.cluster.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

import earthwo.api.NodeProperties;

/**
 * The settings of the cluster component, each with its default. Lookup order as in
 * {@link NodeProperties}: component configuration, then framework property, then default.
 */
public record ClusterSettings(
        Path dataDir,
        /** The address published in the map for clients and other nodes (see {@link #advertisedHost}). */
        String host,
        int port,
        String zkConnect,
        int zkPort,
        String cluster,
        /** S as configured explicitly, or null when not set (then the cluster's value is used). */
        Integer segments,
        /** R written into a new cluster's config node. */
        int replicas,
        long graceMs,
        int sessionTimeoutMs,
        int connectionTimeoutMs,
        long startTimeoutMs,
        /** How many replicas may be catching up at once across the cluster (segments change a few at a time). */
        int maxSyncing,
        /** The cluster secret's file ({@value NodeProperties#CLUSTER_SECRET_FILE}, default in the data directory). */
        Path clusterSecretFile) {

    /** Grace before replicas of a lost node are re-created elsewhere. */
    public static final String GRACE_MS = "earthwo.cluster.grace.ms";
    public static final String GRACE_MS_DEFAULT = "60000";
    /** Replica count R of a cluster created by this node (later changes go through the config node). */
    public static final String REPLICAS = "earthwo.cluster.replicas";
    public static final String REPLICAS_DEFAULT = "3";
    /** ZooKeeper session timeout: a node without its session longer than this is fenced. */
    public static final String SESSION_TIMEOUT_MS = "earthwo.zk.session.timeout.ms";
    public static final String SESSION_TIMEOUT_MS_DEFAULT = "10000";
    /** How long start waits for ZooKeeper and for the registration before going on without them. */
    public static final String CONNECTION_TIMEOUT_MS = "earthwo.zk.connection.timeout.ms";
    public static final String CONNECTION_TIMEOUT_MS_DEFAULT = "5000";
    /** How long activation waits for the first segment map before registering ClusterView later. */
    public static final String START_TIMEOUT_MS = "earthwo.cluster.start.timeout.ms";
    public static final String START_TIMEOUT_MS_DEFAULT = "15000";
    /** Replicas catching up at once (the controller adds replicas segment by segment, this many in flight). */
    public static final String MAX_SYNCING = "earthwo.cluster.max.syncing";
    public static final String MAX_SYNCING_DEFAULT = "16";

    /** Upper bound of every timeout here, as in the other components: longer is a typo, not a choice. */
    private static final long MAX_TIMEOUT_MS = 3_600_000;
    /** Upper bound of the grace: also keeps "first missed + grace" far from overflowing. */
    private static final long MAX_GRACE_MS = 30L * 24 * 3_600_000;

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    public static ClusterSettings from(Map<String, ?> config, UnaryOperator<String> framework) {
        Integer segments = segments(config, framework);
        int replicas = atLeastOne(REPLICAS, NodeProperties.getInt(REPLICAS, config, framework, REPLICAS_DEFAULT));
        String cluster = NodeProperties.get(NodeProperties.CLUSTER, config, framework, NodeProperties.CLUSTER_DEFAULT);
        if (cluster.contains("/")) {
            throw new IllegalArgumentException(NodeProperties.CLUSTER + " must not contain '/': " + cluster);
        }
        int port = port(config, framework);
        Path dataDir = Path.of(NodeProperties.get(NodeProperties.DATA_DIR, config, framework, NodeProperties.DATA_DIR_DEFAULT));
        return new ClusterSettings(
                dataDir,
                advertisedHost(config, framework),
                port,
                NodeProperties.get(NodeProperties.ZK_CONNECT, config, framework, NodeProperties.ZK_CONNECT_DEFAULT).trim(),
                NodeProperties.getInt(NodeProperties.ZK_PORT, config, framework, NodeProperties.ZK_PORT_DEFAULT, 0, 65535),
                cluster,
                segments,
                replicas,
                NodeProperties.getLong(GRACE_MS, config, framework, GRACE_MS_DEFAULT, 0, MAX_GRACE_MS),
                NodeProperties.getInt(SESSION_TIMEOUT_MS, config, framework, SESSION_TIMEOUT_MS_DEFAULT, 1,
                        (int) MAX_TIMEOUT_MS),
                NodeProperties.getInt(CONNECTION_TIMEOUT_MS, config, framework, CONNECTION_TIMEOUT_MS_DEFAULT, 1,
                        (int) MAX_TIMEOUT_MS),
                NodeProperties.getLong(START_TIMEOUT_MS, config, framework, START_TIMEOUT_MS_DEFAULT, 1, MAX_TIMEOUT_MS),
                atLeastOne(MAX_SYNCING, NodeProperties.getInt(MAX_SYNCING, config, framework, MAX_SYNCING_DEFAULT)),
                NodeProperties.clusterSecretFile(config, framework));
    }

    /** True when this node runs its own ZooKeeper (no connect string): it starts a cluster of its own. */
    boolean embeddedZooKeeper() {
        return zkConnect.isEmpty();
    }

    /**
     * {@value NodeProperties#ADVERTISE} if set, else the listener's address. A wildcard listener
     * (0.0.0.0, ::) names no address another machine can connect to, so it needs one.
     */
    private static String advertisedHost(Map<String, ?> config, UnaryOperator<String> framework) {
        String host = NodeProperties.get(NodeProperties.HOST, config, framework, NodeProperties.HOST_DEFAULT).trim();
        String advertise = NodeProperties.get(NodeProperties.ADVERTISE, config, framework, "").trim();
        if (!advertise.isEmpty()) {
            if (isWildcard(advertise)) {
                throw new IllegalArgumentException(NodeProperties.ADVERTISE + " must be an address other machines can"
                        + " connect to, not the wildcard " + advertise);
            }
            return advertise;
        }
        if (isWildcard(host)) {
            throw new IllegalArgumentException(NodeProperties.HOST + " " + host + " listens on every interface but names"
                    + " none that clients and other nodes can connect to: set " + NodeProperties.ADVERTISE
                    + " (bin/earthwo start --advertise ADDRESS) to this machine's address");
        }
        return host;
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0");
    }

    private static int port(Map<String, ?> config, UnaryOperator<String> framework) {
        int port = NodeProperties.getInt(NodeProperties.PORT, config, framework, NodeProperties.PORT_DEFAULT);
        if (port < 1 || port > 65535) {
            // Port 0 would let the server bind any free port, but the map would name port 0: no
            // client and no other node could reach this node through it.
            throw new IllegalArgumentException(NodeProperties.PORT + " must be 1..65535, not " + port
                    + ": the cluster map names the port clients and other nodes connect to, so it must be fixed");
        }
        return port;
    }

    /** S when set explicitly, else null: a joining node then takes the count the cluster was created with. */
    private static Integer segments(Map<String, ?> config, UnaryOperator<String> framework) {
        if (NodeProperties.get(NodeProperties.SEGMENTS, config, framework, null) == null) {
            return null;
        }
        return atLeastOne(NodeProperties.SEGMENTS, NodeProperties.getInt(NodeProperties.SEGMENTS, config, framework, null));
    }

    /**
     * Refuses a count below 1 with the message {@code bin/earthwo} passes on when a start is
     * refused (the command-line tests quote it), so it differs from NodeProperties' range message.
     */
    private static int atLeastOne(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be >= 1, not " + value);
        }
        return value;
    }
}

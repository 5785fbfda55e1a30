package earthwo.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Names and defaults of the node settings that several bundles read, and the one way every
 * bundle reads a setting. `bin/earthwo` passes settings as framework (system) properties; a
 * component's ConfigAdmin configuration overrides them. Lookup order: component configuration,
 * then framework property, then the default.
 *
 * <p>Each component keeps its own keys in one {@code *Settings} class: a key is a
 * {@code static final String} whose value starts with {@code earthwo.}, its default sits beside
 * it in a field of the same name ending in {@code _DEFAULT}, and its validation is in the class's
 * one resolving method, which reads through the methods here. {@code conf/earthwo.properties}
 * lists every such key with its default; a test keeps the two the same.
 */
public final class NodeProperties {

    /** Directory holding everything of one node: store, node id, secrets, embedded ZooKeeper. */
    public static final String DATA_DIR = "earthwo.data";
    public static final String DATA_DIR_DEFAULT = "data";

    /** Address the client listener binds to and is published at. */
    public static final String HOST = "earthwo.host";
    public static final String HOST_DEFAULT = "127.0.0.1";

    /**
     * Address published in the segment map, where clients and other nodes connect to this node;
     * default: {@link #HOST}. Needed when the listener binds a wildcard address (0.0.0.0).
     */
    public static final String ADVERTISE = "earthwo.advertise";

    /** Port of the client/binary protocol listener. */
    public static final String PORT = "earthwo.port";
    public static final String PORT_DEFAULT = "7380";

    /** ZooKeeper connect string; empty means "start an embedded ZooKeeper". */
    public static final String ZK_CONNECT = "earthwo.zk.connect";
    public static final String ZK_CONNECT_DEFAULT = "";

    /** Port of the embedded ZooKeeper (0 = any free port). */
    public static final String ZK_PORT = "earthwo.zk.port";
    public static final String ZK_PORT_DEFAULT = "0";

    public static final String CLUSTER = "earthwo.cluster";
    public static final String CLUSTER_DEFAULT = "earthwo";

    /** Number of segments S; fixed when the cluster is created. */
    public static final String SEGMENTS = "earthwo.segments";
    public static final String SEGMENTS_DEFAULT = String.valueOf(Segments.DEFAULT_COUNT);

    /** Optional shared secret clients must present before data operations. */
    public static final String SECRET = "earthwo.secret";

    /**
     * File holding the data secret (mode 600), read when {@link #SECRET} is not set: a secret in
     * a file or in the environment ({@value #SECRET_ENV}) stays off the node's command line.
     */
    public static final String SECRET_FILE = "earthwo.secret.file";

    /** Environment variable of the node holding its data secret ({@code bin/earthwo} puts it there). */
    public static final String SECRET_ENV = "EARTHWO_NODE_SECRET";

    /** Environment variable of the node holding its admin secret. */
    public static final String ADMIN_SECRET_ENV = "EARTHWO_NODE_ADMIN_SECRET";

    /** Admin secret for remote shell commands; generated into DATA_DIR/admin.secret if unset. */
    public static final String ADMIN_SECRET = "earthwo.admin.secret";
    public static final String ADMIN_SECRET_FILE = "admin.secret";

    /** Largest key in bytes, for every bundle that checks keys. */
    public static final String MAX_KEY_BYTES = "earthwo.max.key.bytes";
    public static final String MAX_KEY_BYTES_DEFAULT = String.valueOf(Limits.MAX_KEY_BYTES);

    /** Largest value in bytes, for every bundle that checks values. */
    public static final String MAX_VALUE_BYTES = "earthwo.max.value.bytes";
    public static final String MAX_VALUE_BYTES_DEFAULT = String.valueOf(Limits.MAX_VALUE_BYTES);

    /**
     * File holding the cluster secret, the one every node of a cluster shares and presents to
     * the others to obtain the peer role; default {@value #CLUSTER_SECRET_FILE_NAME} in the data
     * directory. A node that runs its own embedded ZooKeeper generates it when it is absent.
     */
    public static final String CLUSTER_SECRET_FILE = "earthwo.cluster.secret.file";
    public static final String CLUSTER_SECRET_FILE_NAME = "cluster.secret";

    /**
     * How far ahead of a node's wall clock a version may be, in ms: a version further ahead is
     * refused wherever it enters the node (replica writes, read repair, anti-entropy), the node's
     * hybrid clock never runs further ahead, and a node whose own clock is further ahead of
     * ZooKeeper's refuses to coordinate writes. Above the skew a healthy cluster sees (NTP keeps
     * clocks within milliseconds); a clock further off is a fault, not a reason to accept versions
     * that no correctly clocked write can beat.
     */
    public static final String CLOCK_MAX_OFFSET = "earthwo.clock.max.offset.ms";
    public static final String CLOCK_MAX_OFFSET_DEFAULT = "60000";

    /**
     * TLS for the protocol listener and the links between nodes: this node's certificate chain
     * and its private key (PEM, PKCS#8, unencrypted; file mode 600), and the certificate
     * authorities (PEM) a node trusts when it connects to another. All three or none: with them
     * every connection to the node, from clients and from other nodes, is TLS.
     */
    public static final String TLS_CERT = "earthwo.tls.cert";
    public static final String TLS_KEY = "earthwo.tls.key";
    public static final String TLS_CA = "earthwo.tls.ca";

    private NodeProperties() {
    }

    /**
     * Resolves one setting.
     *
     * @param config the component's configuration properties (may be null)
     * @param framework looks up a framework property, e.g. {@code bundleContext::getProperty}
     */
    public static String get(String key, Map<String, ?> config, UnaryOperator<String> framework, String defaultValue) {
        if (config != null) {
            Object v = config.get(key);
            if (v != null && !String.valueOf(v).isEmpty()) {
                return String.valueOf(v);
            }
        }
        String f = framework.apply(key);
        return f != null && !f.isEmpty() ? f : defaultValue;
    }

    /** A true/false setting (either case); anything else is refused, naming the setting. */
    public static boolean getBoolean(String key, Map<String, ?> config, UnaryOperator<String> framework, String defaultValue) {
        String v = get(key, config, framework, defaultValue).trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("setting " + key + " must be true or false, not '" + v + "'");
    }

    public static int getInt(String key, Map<String, ?> config, UnaryOperator<String> framework, String defaultValue) {
        String v = get(key, config, framework, defaultValue);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " must be an integer, not '" + v + "'", e);
        }
    }

    /** An integer setting between {@code min} and {@code max}; anything else is refused, naming the setting. */
    public static int getInt(String key, Map<String, ?> config, UnaryOperator<String> framework, String defaultValue,
            int min, int max) {
        return (int) getLong(key, config, framework, defaultValue, min, max);
    }

    /** A whole number between {@code min} and {@code max}; anything else is refused, naming the setting. */
    public static long getLong(String key, Map<String, ?> config, UnaryOperator<String> framework, String defaultValue,
            long min, long max) {
        String v = get(key, config, framework, defaultValue);
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " must be an integer, not '" + v + "'", e);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("setting " + key + " must be between " + min + " and " + max + ", not " + n);
        }
        return n;
    }

    /** {@value #MAX_KEY_BYTES}, validated: the one definition of the key limit. */
    public static int maxKeyBytes(Map<String, ?> config, UnaryOperator<String> framework) {
        return getInt(MAX_KEY_BYTES, config, framework, MAX_KEY_BYTES_DEFAULT, 1, 64 * 1024);
    }

    /** {@value #MAX_VALUE_BYTES}, validated: the one definition of the value limit. */
    public static int maxValueBytes(Map<String, ?> config, UnaryOperator<String> framework) {
        return getInt(MAX_VALUE_BYTES, config, framework, MAX_VALUE_BYTES_DEFAULT, 0, 512 * 1024 * 1024);
    }

    /** {@value #CLOCK_MAX_OFFSET}, validated. */
    public static long clockMaxOffsetMs(Map<String, ?> config, UnaryOperator<String> framework) {
        return getLong(CLOCK_MAX_OFFSET, config, framework, CLOCK_MAX_OFFSET_DEFAULT, 1_000, 24L * 3_600_000);
    }

    /** {@value #CLUSTER_SECRET_FILE}, else {@value #CLUSTER_SECRET_FILE_NAME} in the data directory. */
    public static Path clusterSecretFile(Map<String, ?> config, UnaryOperator<String> framework) {
        String configured = get(CLUSTER_SECRET_FILE, config, framework, "").trim();
        Path file = configured.isEmpty() ? Path.of(get(DATA_DIR, config, framework, DATA_DIR_DEFAULT), CLUSTER_SECRET_FILE_NAME)
                : Path.of(configured);
        return file.toAbsolutePath().normalize();
    }

    /** True when no ZooKeeper is configured: the node runs an embedded one and starts a cluster of its own. */
    public static boolean runsEmbeddedZooKeeper(Map<String, ?> config, UnaryOperator<String> framework) {
        return get(ZK_CONNECT, config, framework, ZK_CONNECT_DEFAULT).trim().isEmpty();
    }
}

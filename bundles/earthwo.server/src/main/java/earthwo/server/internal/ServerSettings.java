package earthwo.server.internal;

import earthwo.api.SecretFiles;
import earthwo.api.Limits;
import earthwo.api.NodeProperties;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The server's settings, resolved with {@link NodeProperties#get}: component configuration (PID
 * {@value #PID}), then framework property, then the default next to each key. Every number is
 * validated; a bad one fails activation with a message naming the key.
 */
final class ServerSettings {

    static final String PID = "earthwo.server";

    /** Largest frame (bytes after the length prefix) the server accepts. */
    static final String MAX_FRAME_BYTES = "earthwo.server.max.frame.bytes";
    static final String MAX_FRAME_BYTES_DEFAULT = String.valueOf(Limits.MAX_FRAME_BYTES);

    /** Open client connections; one more is answered BUSY and closed. */
    static final String MAX_CONNECTIONS = "earthwo.server.max.connections";
    static final String MAX_CONNECTIONS_DEFAULT = "4096";

    /** Requests of one connection being processed at once; at the limit the server stops reading it. */
    static final String MAX_IN_FLIGHT = "earthwo.server.max.inflight";
    static final String MAX_IN_FLIGHT_DEFAULT = "1024";

    /** Netty I/O threads; 0 = one per available processor. */
    static final String IO_THREADS = "earthwo.server.io.threads";
    static final String IO_THREADS_DEFAULT = "0";

    /** Threads for requests that may block (SCAN, STATUS, EXEC, and data requests when offloaded). */
    static final String BLOCKING_THREADS = "earthwo.server.blocking.threads";
    static final String BLOCKING_THREADS_DEFAULT = "4";

    /** Requests waiting for a blocking thread; more are answered BUSY. */
    static final String BLOCKING_QUEUE = "earthwo.server.blocking.queue";
    static final String BLOCKING_QUEUE_DEFAULT = "4096";

    /**
     * false (default): GET, PUT and DEL call Kv on the connection's I/O thread (fastest; right when
     * Kv calls do not wait on disk, e.g. storage durability write_no_sync). true: they run on the
     * blocking pool, so a slow Kv call never delays other connections of the same I/O thread.
     */
    static final String OFFLOAD_DATA = "earthwo.server.offload.data";
    static final String OFFLOAD_DATA_DEFAULT = "false";

    /**
     * Threads that run peer messages (PEER frames from other nodes: replication, anti-entropy,
     * segment transfer). A pool of its own, so client SCANs and peer traffic never wait on each other.
     */
    static final String PEER_THREADS = "earthwo.server.peer.threads";
    static final String PEER_THREADS_DEFAULT = "8";

    /** Peer messages waiting for a peer thread; more are answered BUSY. */
    static final String PEER_QUEUE = "earthwo.server.peer.queue";
    static final String PEER_QUEUE_DEFAULT = "8192";

    /**
     * A frame begun and then left without a new byte for this long closes its connection
     * (BAD_REQUEST); 0 lets a partial frame wait for ever.
     */
    static final String FRAME_STALL_TIMEOUT = "earthwo.server.frame.stall.timeout.ms";
    static final String FRAME_STALL_TIMEOUT_DEFAULT = "30000";

    /**
     * A client connection with no request in flight and no traffic for this long is closed (ms;
     * 0: never). Forgotten connections would otherwise hold slots of the connection limit for ever.
     */
    static final String IDLE_TIMEOUT = "earthwo.server.idle.timeout.ms";
    static final String IDLE_TIMEOUT_DEFAULT = "300000";

    /** Wrong AUTH attempts on one connection before it is closed. */
    static final String MAX_AUTH_FAILURES = "earthwo.server.max.auth.failures";
    static final String MAX_AUTH_FAILURES_DEFAULT = "5";

    /** Accept backlog of the listening socket. */
    static final String BACKLOG = "earthwo.server.backlog";
    static final String BACKLOG_DEFAULT = "1024";

    /** Bound on each shutdown step (closing connections, stopping threads), in ms. */
    static final String SHUTDOWN_TIMEOUT = "earthwo.server.shutdown.timeout.ms";
    static final String SHUTDOWN_TIMEOUT_DEFAULT = "5000";

    /** Name of the file in the data directory that holds the bound {@code host:port}. */
    static final String ENDPOINT_FILE = "endpoint";

    final String host;
    final int port;
    final Path dataDir;
    final int maxKeyBytes;
    final int maxValueBytes;
    final int maxFrameBytes;
    final int maxConnections;
    final int maxInFlight;
    final int ioThreads;
    final int blockingThreads;
    final int blockingQueue;
    final boolean offloadData;
    final int peerThreads;
    final int peerQueue;
    final int maxAuthFailures;
    final long frameStallTimeoutMs;
    final long idleTimeoutMs;
    final int backlog;
    final long shutdownTimeoutMs;
    /** Data secret, or null when no authentication is required for data requests. */
    final String secret;
    /** Configured admin secret, or null to use (or generate) the admin.secret file. */
    final String adminSecret;
    /** Where the secret is that other nodes present for the peer role. */
    final Path clusterSecretFile;
    /** No ZooKeeper configured: this node starts a cluster of its own and may generate the cluster secret. */
    final boolean embeddedZooKeeper;
    /** TLS of the listener, or null: plain TCP. */
    final Tls tls;

    private ServerSettings(Map<String, ?> c, UnaryOperator<String> f, UnaryOperator<String> env) {
        host = NodeProperties.get(NodeProperties.HOST, c, f, NodeProperties.HOST_DEFAULT).trim();
        port = NodeProperties.getInt(NodeProperties.PORT, c, f, NodeProperties.PORT_DEFAULT, 0, 65_535);
        dataDir = Path.of(NodeProperties.get(NodeProperties.DATA_DIR, c, f, NodeProperties.DATA_DIR_DEFAULT))
                .toAbsolutePath().normalize();
        maxKeyBytes = NodeProperties.maxKeyBytes(c, f); // GET, PUT, DEL, SCAN prefix and continuation
        maxValueBytes = NodeProperties.maxValueBytes(c, f);
        maxFrameBytes = maxFrameBytes(c, f);
        maxConnections = NodeProperties.getInt(MAX_CONNECTIONS, c, f, MAX_CONNECTIONS_DEFAULT, 1, 1_000_000);
        maxInFlight = NodeProperties.getInt(MAX_IN_FLIGHT, c, f, MAX_IN_FLIGHT_DEFAULT, 1, 1_000_000);
        int io = NodeProperties.getInt(IO_THREADS, c, f, IO_THREADS_DEFAULT, 0, 1024);
        ioThreads = io == 0 ? Runtime.getRuntime().availableProcessors() : io;
        blockingThreads = NodeProperties.getInt(BLOCKING_THREADS, c, f, BLOCKING_THREADS_DEFAULT, 1, 1024);
        blockingQueue = NodeProperties.getInt(BLOCKING_QUEUE, c, f, BLOCKING_QUEUE_DEFAULT, 1, 10_000_000);
        offloadData = NodeProperties.getBoolean(OFFLOAD_DATA, c, f, OFFLOAD_DATA_DEFAULT);
        peerThreads = NodeProperties.getInt(PEER_THREADS, c, f, PEER_THREADS_DEFAULT, 1, 1024);
        peerQueue = NodeProperties.getInt(PEER_QUEUE, c, f, PEER_QUEUE_DEFAULT, 1, 10_000_000);
        maxAuthFailures = NodeProperties.getInt(MAX_AUTH_FAILURES, c, f, MAX_AUTH_FAILURES_DEFAULT, 1, 1_000_000);
        frameStallTimeoutMs = NodeProperties.getInt(FRAME_STALL_TIMEOUT, c, f, FRAME_STALL_TIMEOUT_DEFAULT, 0, 3_600_000);
        idleTimeoutMs = NodeProperties.getLong(IDLE_TIMEOUT, c, f, IDLE_TIMEOUT_DEFAULT, 0, 24L * 3_600_000);
        backlog = NodeProperties.getInt(BACKLOG, c, f, BACKLOG_DEFAULT, 1, 65_535);
        shutdownTimeoutMs = shutdownTimeoutMs(c, f);
        secret = dataSecret(c, f, env);
        adminSecret = firstOf(NodeProperties.get(NodeProperties.ADMIN_SECRET, c, f, ""), env.apply(NodeProperties.ADMIN_SECRET_ENV));
        clusterSecretFile = NodeProperties.clusterSecretFile(c, f);
        embeddedZooKeeper = NodeProperties.runsEmbeddedZooKeeper(c, f);
        tls = Tls.resolve(c, f);
        if (maxFrameBytes < (long) maxKeyBytes + maxValueBytes + 64) {
            throw new IllegalArgumentException("setting " + MAX_FRAME_BYTES + " (" + maxFrameBytes
                    + ") must leave room for a PUT of the largest key and value (" + maxKeyBytes + " + "
                    + maxValueBytes + " bytes + 64 of framing)");
        }
    }

    /** Resolves and validates every setting; throws IllegalArgumentException naming the bad one. */
    static ServerSettings resolve(Map<String, ?> config, UnaryOperator<String> framework) {
        return resolve(config, framework, System::getenv);
    }

    /** As {@link #resolve(Map, UnaryOperator)}, with {@code env} looking up environment variables. */
    static ServerSettings resolve(Map<String, ?> config, UnaryOperator<String> framework, UnaryOperator<String> env) {
        return new ServerSettings(config, framework, env);
    }

    /**
     * The data secret: {@value NodeProperties#SECRET}, else the environment's
     * {@value NodeProperties#SECRET_ENV}, else the content of {@value NodeProperties#SECRET_FILE};
     * null when none is set (no authentication).
     */
    private static String dataSecret(Map<String, ?> c, UnaryOperator<String> f, UnaryOperator<String> env) {
        String s = firstOf(NodeProperties.get(NodeProperties.SECRET, c, f, ""), env.apply(NodeProperties.SECRET_ENV));
        if (s != null) {
            return s;
        }
        String file = NodeProperties.get(NodeProperties.SECRET_FILE, c, f, "").trim();
        if (file.isEmpty()) {
            return null;
        }
        try {
            String fromFile = SecretFiles.read(Path.of(file));
            if (fromFile == null) {
                throw new IllegalArgumentException("setting " + NodeProperties.SECRET_FILE + ": " + file
                        + " is missing or empty");
            }
            return fromFile;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("setting " + NodeProperties.SECRET_FILE + ": cannot read " + file + ": " + e);
        }
    }

    private static String firstOf(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isEmpty()) {
                return c;
            }
        }
        return null;
    }

    /** {@value #MAX_FRAME_BYTES}: the listener's limit, also what the node's links may send. */
    static int maxFrameBytes(Map<String, ?> c, UnaryOperator<String> f) {
        return NodeProperties.getInt(MAX_FRAME_BYTES, c, f, MAX_FRAME_BYTES_DEFAULT, 64, 1024 * 1024 * 1024);
    }

    /** {@value #SHUTDOWN_TIMEOUT}, shared by the listener and the links. */
    static long shutdownTimeoutMs(Map<String, ?> c, UnaryOperator<String> f) {
        return NodeProperties.getInt(SHUTDOWN_TIMEOUT, c, f, SHUTDOWN_TIMEOUT_DEFAULT, 1, 600_000);
    }

    @Override
    public String toString() {
        return "host=" + host + ", port=" + port + ", data=" + dataDir + ", maxKey=" + maxKeyBytes
                + ", maxValue=" + maxValueBytes + ", maxFrame=" + maxFrameBytes + ", maxConnections=" + maxConnections
                + ", maxInFlight=" + maxInFlight + ", ioThreads=" + ioThreads + ", blockingThreads=" + blockingThreads
                + ", peerThreads=" + peerThreads + ", offloadData=" + offloadData + ", auth=" + (secret != null) + ", tls=" + (tls != null);
    }
}

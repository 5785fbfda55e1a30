package earthwo.cluster.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's link to ZooKeeper: the embedded server when no connect string is set, the Curator
 * client, and the session the client holds. Tracks whether the node is connected and which
 * session it has, since master duties depend on both (see {@link MasterFence}). The client
 * authenticates with the cluster's identity and creates every znode with its ACLs (see
 * {@link ZooKeeperAcl}); Curator presents the identity again on every new session.
 */
final class ZooKeeperSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperSession.class);

    private final ClusterSettings settings;
    private final int nodeId;
    /** The epoch of the map this node serves on, for the log lines of connection changes. */
    private final LongSupplier mapEpoch;
    /** Called after every connection state change, once connected and session are updated. */
    private final Runnable onStateChange;
    private final ZooKeeperAcl acl;
    private EmbeddedZooKeeper embedded;
    private String connectString;
    private CuratorFramework client;
    /** Curator never shuts down the "run safe" executor it makes itself, so we give it ours. */
    private ExecutorService runSafe;
    private volatile boolean connected;
    private volatile boolean closing;
    /** The ZooKeeper session this node holds (0: none); the map must name it for master duties. */
    private volatile long sessionId;

    ZooKeeperSession(ClusterSettings settings, int nodeId, LongSupplier mapEpoch, Runnable onStateChange,
                     ZooKeeperAcl acl) {
        this.settings = settings;
        this.nodeId = nodeId;
        this.mapEpoch = mapEpoch;
        this.onStateChange = onStateChange;
        this.acl = acl;
    }

    /**
     * Starts the embedded server if needed, then the client; waits up to the connection timeout
     * for a session but goes on without one (Curator keeps trying).
     */
    void open() throws Exception {
        connectString = settings.zkConnect();
        if (connectString.isEmpty()) {
            embedded = EmbeddedZooKeeper.start(settings.dataDir().resolve("zk"), settings.zkPort());
            connectString = embedded.connectString();
        }
        LOG.info("node {} cluster {}: connecting to ZooKeeper at {}", nodeId, settings.cluster(), connectString);
        runSafe = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "earthwo-curator-notify-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        client = CuratorFrameworkFactory.builder()
                .runSafeService(runSafe)
                .connectString(connectString)
                .sessionTimeoutMs(settings.sessionTimeoutMs())
                .connectionTimeoutMs(settings.connectionTimeoutMs())
                .retryPolicy(new ExponentialBackoffRetry(200, 29, 5000))
                .ensembleTracker(false)
                .authorization(ZooKeeperAcl.SCHEME, acl.authorization())
                .aclProvider(acl)
                .build();
        client.getConnectionStateListenable().addListener((c, state) -> onConnectionState(state));
        client.start();
        if (!client.blockUntilConnected(settings.connectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
            LOG.warn("node {} cluster {}: not connected to ZooKeeper at {} after {} ms, still trying", nodeId,
                    settings.cluster(), connectString, settings.connectionTimeoutMs());
        }
        connected = client.getZookeeperClient().isConnected();
        if (connected) {
            sessionId = currentSession();
        }
    }

    /**
     * Waits until the client is connected; true if it is. Interruptible: closing the node
     * interrupts a thread waiting here.
     */
    boolean awaitConnected(long timeout, TimeUnit unit) throws InterruptedException {
        return client.blockUntilConnected((int) Math.min(Integer.MAX_VALUE, timeout), unit);
    }

    /** Creates a persistent znode (and its parents) unless it exists. */
    void createIfAbsent(String path) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(path);
        } catch (KeeperException.NodeExistsException e) {
            // already there
        }
    }

    CuratorFramework client() {
        return client;
    }

    String connectString() {
        return connectString;
    }

    /** How the status page names the ZooKeeper this node uses. */
    String describe() {
        return embedded != null ? "embedded " + connectString : connectString;
    }

    /** Connected, and not shutting down. */
    boolean isConnected() {
        return connected && !closing;
    }

    long sessionId() {
        return sessionId;
    }

    private void onConnectionState(ConnectionState state) {
        boolean now = state.isConnected();
        if (now) {
            sessionId = currentSession();
        }
        if (state == ConnectionState.LOST) {
            // Disconnected for longer than the session timeout (or expired): the ephemeral
            // registration and the controller latch go with the session; Curator re-creates both
            // with a new session when ZooKeeper is back. The data plane keeps serving the last map.
            LOG.warn("node {} cluster {} epoch {}: ZooKeeper session lost; serving on the last map, registering again"
                    + " when ZooKeeper at {} returns", nodeId, settings.cluster(), mapEpoch.getAsLong(),
                    connectString);
        }
        if (now != connected) {
            connected = now;
            LOG.info("node {} cluster {} epoch {}: ZooKeeper {}", nodeId, settings.cluster(), mapEpoch.getAsLong(),
                    state.name().toLowerCase());
        }
        onStateChange.run();
    }

    private long currentSession() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /** From now on the node counts as disconnected: nothing may act on the session while it closes. */
    void beginClose() {
        closing = true;
    }

    /**
     * Without ZooKeeper, deleting the registration would retry for minutes: closing the client
     * first (the ephemeral registration ends with the session) makes that fail fast.
     */
    void closeClientIfDisconnected() {
        if (client != null && !client.getZookeeperClient().isConnected()) {
            client.close();
        }
    }

    /** Closes the client: every ZooKeeper call still waiting fails at once. */
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    /** Closes the client, then its executor, then the embedded server (which the client used). */
    @Override
    public void close() {
        closing = true;
        if (client != null) {
            client.close();
        }
        if (runSafe != null) {
            runSafe.shutdownNow();
            try {
                runSafe.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}

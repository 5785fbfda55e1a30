package earthwo.cluster.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.cluster.internal.MapCodec.NodeDoc;

/**
 * This node's ephemeral znode under {@code nodes/}: its address for clients and other nodes, and
 * what it reports to the controller (see {@link CatchUpMarks}). Curator re-creates it with the
 * last data when a new session replaces a lost one.
 */
final class NodeRegistration implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);

    private final ClusterSettings settings;
    private final ClusterPaths paths;
    private final int nodeId;
    private volatile PersistentNode node;
    /**
     * The caught-up replicas last published, guarded by this. Kept apart from the znode: a node
     * serving on its kept map may be told of a caught-up replica before its znode exists (Curator
     * takes new data only once the znode was created).
     */
    private Map<Integer, Long> caughtUp = Map.of();

    NodeRegistration(ClusterSettings settings, ClusterPaths paths, int nodeId) {
        this.settings = settings;
        this.paths = paths;
        this.nodeId = nodeId;
    }

    /** Creates the znode, waiting up to the connection timeout (then Curator goes on trying). */
    void start(CuratorFramework client) throws InterruptedException {
        PersistentNode created;
        synchronized (this) {
            created = new PersistentNode(client, CreateMode.EPHEMERAL, false, paths.node(nodeId),
                    MapCodec.encode(self(caughtUp)));
            node = created;
        }
        created.getListenable().addListener(path -> publishIfBehind(created));
        created.start();
        if (!created.waitForInitialCreate(settings.connectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
            LOG.warn("node {} cluster {}: registration at {} not yet created", nodeId, settings.cluster(),
                    paths.node(nodeId));
        }
    }

    /**
     * Publishes the caught-up replicas (segment → syncing-since epoch) with the address. Written
     * in the background and kept across re-registration; before {@link #start}, with it.
     */
    synchronized void publishCaughtUp(Map<Integer, Long> caughtUp) throws Exception {
        this.caughtUp = Map.copyOf(caughtUp);
        PersistentNode r = node;
        if (r != null && r.getActualPath() != null) {
            r.setData(MapCodec.encode(self(this.caughtUp)));
        }
    }

    /** Once the znode exists: the marks published before it did. */
    private synchronized void publishIfBehind(PersistentNode created) throws Exception {
        byte[] current = MapCodec.encode(self(caughtUp));
        if (!Arrays.equals(current, created.getData())) {
            created.setData(current);
        }
    }

    private NodeDoc self(Map<Integer, Long> caughtUp) {
        NodeDoc self = new NodeDoc(nodeId, settings.host(), settings.port());
        self.caughtUp = caughtUp.isEmpty() ? null : new TreeMap<>(caughtUp);
        self.digestAuth = true;
        return self;
    }

    @Override
    public void close() {
        PersistentNode r = node;
        if (r == null) {
            return;
        }
        try {
            r.close();
        } catch (Exception e) {
            LOG.debug("closing the node registration", e);
        }
    }
}

package earthwo.cluster.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.cluster.internal.MapCodec.MapDoc;
import earthwo.cluster.internal.MapCodec.NodeDoc;

/**
 * Gives the cluster's znodes that were created before nodes authenticated (open to everyone,
 * ZooKeeper's default) the cluster's ACLs (see {@link ZooKeeperAcl}).
 *
 * <p>Not when a node first sees them: during a rolling upgrade the nodes of the earlier version
 * still write those znodes without an identity (the controller the map, every node its
 * registration under {@code nodes/}), and closing the znodes would lock them out of their own
 * cluster. The controller does it, once per term, when every node of the map is live and says
 * in its registration that it authenticates. Until then the old znodes stay open and everything
 * works as before; new znodes have the ACLs from the start either way.
 */
final class LegacyAcls {

    private static final Logger LOG = LoggerFactory.getLogger(LegacyAcls.class);

    private final CuratorFramework client;
    private final ClusterPaths paths;
    private final int nodeId;
    private final String cluster;
    /** Set once this controller term has checked every znode. */
    private volatile boolean done;

    LegacyAcls(CuratorFramework client, ClusterPaths paths, int nodeId, String cluster) {
        this.client = client;
        this.paths = paths;
        this.nodeId = nodeId;
        this.cluster = cluster;
    }

    /** A new controller term checks again. */
    void newTerm() {
        done = false;
    }

    /**
     * Restricts the open znodes if every node of the map is live and authenticates, unless done
     * this term. Failures are logged; the next recompute tries again.
     */
    void restrictOnceAllAuthenticate(MapDoc map, Map<Integer, NodeDoc> live) {
        if (done || !allAuthenticate(map, live)) {
            return;
        }
        try {
            int restricted = restrictOpenZnodes();
            done = true;
            if (restricted > 0) {
                LOG.info("node {} cluster {} epoch {}: every node authenticates to ZooKeeper; {} znodes made before"
                        + " ACLs now writable by the cluster's nodes only", nodeId, cluster, map.epoch, restricted);
            }
        } catch (Exception e) {
            LOG.warn("node {} cluster {}: could not set the ACLs of znodes made before ACLs, trying again later: {}",
                    nodeId, cluster, e.toString());
        }
    }

    static boolean allAuthenticate(MapDoc map, Map<Integer, NodeDoc> live) {
        if (!map.down.isEmpty()) {
            return false; // a node away may be one of an earlier version, coming back
        }
        for (NodeDoc n : map.nodes) {
            NodeDoc reg = live.get(n.id);
            if (reg == null || !reg.authenticates()) {
                return false;
            }
        }
        for (NodeDoc reg : live.values()) {
            if (!reg.authenticates()) {
                return false;
            }
        }
        return true;
    }

    /** Walks every znode of the cluster and sets the cluster's ACLs where everyone may write; returns how many. */
    private int restrictOpenZnodes() throws Exception {
        int restricted = 0;
        Deque<String> pending = new ArrayDeque<>();
        pending.push(paths.base());
        while (!pending.isEmpty()) {
            String path = pending.pop();
            try {
                Stat stat = new Stat();
                List<ACL> acl = client.getACL().storingStatIn(stat).forPath(path);
                if (ZooKeeperAcl.isOpen(acl)) {
                    client.setACL().withVersion(stat.getAversion()).withACL(ZooKeeperAcl.CLUSTER).forPath(path);
                    restricted++;
                }
                for (String child : client.getChildren().forPath(path)) {
                    pending.push(path + "/" + child);
                }
            } catch (KeeperException.NoNodeException gone) {
                // an ephemeral znode that went away meanwhile
            }
        }
        return restricted;
    }
}

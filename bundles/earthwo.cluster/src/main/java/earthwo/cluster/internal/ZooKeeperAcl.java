package earthwo.cluster.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;

/**
 * Who may change the cluster's znodes: the nodes of the cluster, and nobody else.
 *
 * <p>Every node authenticates to ZooKeeper with the digest scheme as user {@value #USER}, its
 * password derived from the cluster secret (HMAC-SHA256 over the cluster's name). Derived rather
 * than the secret itself: ZooKeeper receives the password in clear text and keeps it in its
 * memory, and the cluster secret also grants the peer role between nodes, which ZooKeeper (or
 * anyone reading its traffic) must not obtain. Naming the cluster keeps two clusters that share a
 * ZooKeeper (and by mistake a secret) out of each other's znodes.
 *
 * <p>Every znode under {@code /earthwo/<cluster>} is created with:
 * <ul>
 * <li>all permissions for the creator's authenticated identity (ZooKeeper's {@code auth} scheme,
 * which the server expands to {@code digest:earthwo:<hash>} itself, with whatever digest
 * algorithm it is configured for), which is the identity every node of the cluster shares;
 * <li>read for everyone. What the znodes hold is what any client gets from a node anyway (the map,
 * node addresses, R, pins), and ZooKeeper's own tools and monitoring keep working. No one without
 * the secret can write the map or the config, register a node or stand for controller.
 * </ul>
 * {@code /earthwo} itself is shared by every cluster on the ZooKeeper, each with its own secret:
 * everyone may read it and create or delete (only empty) children in it, no one may change it.
 */
final class ZooKeeperAcl implements ACLProvider {

    static final String SCHEME = "digest";
    static final String USER = "earthwo";

    /** The cluster's znodes: every permission for the cluster's identity, read for everyone. */
    static final List<ACL> CLUSTER = acl(new ACL(Perms.ALL, Ids.AUTH_IDS), new ACL(Perms.READ, Ids.ANYONE_ID_UNSAFE));

    /** {@code /earthwo}, the parent every cluster on the ZooKeeper creates its znodes under. */
    static final List<ACL> SHARED_PARENT = acl(new ACL(Perms.READ | Perms.CREATE | Perms.DELETE, Ids.ANYONE_ID_UNSAFE));

    private final String sharedParent;
    private final String password;

    ZooKeeperAcl(String clusterSecret, String cluster, String sharedParent) {
        this.sharedParent = sharedParent;
        this.password = derivePassword(clusterSecret, cluster);
    }

    static ZooKeeperAcl of(String clusterSecret, String cluster) {
        return new ZooKeeperAcl(clusterSecret, cluster, ClusterPaths.SHARED_PARENT);
    }

    /** What the client presents for the {@value #SCHEME} scheme: {@code user:password}. */
    byte[] authorization() {
        return (USER + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return CLUSTER;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return sharedParent.equals(path) ? SHARED_PARENT : CLUSTER;
    }

    /**
     * True if everyone may do more than read: a znode created before the cluster's nodes
     * authenticated (world:anyone with all permissions, ZooKeeper's default).
     */
    static boolean isOpen(List<ACL> acl) {
        for (ACL a : acl) {
            if (Ids.ANYONE_ID_UNSAFE.equals(a.getId()) && (a.getPerms() & ~Perms.READ) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Not List.of: ZooKeeper checks an ACL with contains(null), which List.of's lists refuse. */
    private static List<ACL> acl(ACL... entries) {
        return Collections.unmodifiableList(Arrays.asList(entries));
    }

    private static String derivePassword(String clusterSecret, String cluster) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(clusterSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] out = mac.doFinal(("earthwo zookeeper digest of cluster " + cluster).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}

package earthwo.server.internal;

import earthwo.api.NodeProperties;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Where this node's cluster secret is and whether the node may generate it. Every node of a
 * cluster presents the same secret to the others to obtain the peer role. A node that runs its
 * own embedded ZooKeeper starts a cluster of its own, so it generates the secret when the file is
 * absent; a node that joins an external ZooKeeper cannot know the others' secret and refuses to
 * start without it, instead of starting and then failing every message to its peers.
 */
record ClusterSecret(Path file, boolean mayGenerate) {

    static ClusterSecret resolve(Map<String, ?> c, UnaryOperator<String> f, Path dataDir) {
        String configured = NodeProperties.get(NodeProperties.CLUSTER_SECRET_FILE, c, f, "").trim();
        Path file = configured.isEmpty() ? dataDir.resolve(NodeProperties.CLUSTER_SECRET_FILE_NAME)
                : Path.of(configured).toAbsolutePath().normalize();
        boolean embeddedZooKeeper = NodeProperties.get(NodeProperties.ZK_CONNECT, c, f, NodeProperties.ZK_CONNECT_DEFAULT)
                .trim().isEmpty();
        return new ClusterSecret(file, embeddedZooKeeper);
    }

    /** The secret; generated when allowed and absent. */
    String load() throws IOException {
        String secret = mayGenerate ? SecretFiles.readOrCreate(file) : SecretFiles.read(file);
        if (secret == null) {
            throw new IllegalArgumentException("no cluster secret in " + file + ": every node of a cluster that joins an"
                    + " external ZooKeeper needs the same one. Copy the file of a node of the cluster there (or set "
                    + NodeProperties.CLUSTER_SECRET_FILE + "); a new cluster gets one from: bin/earthwo secret FILE");
        }
        return secret;
    }
}

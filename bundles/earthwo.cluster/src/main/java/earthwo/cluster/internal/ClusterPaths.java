package earthwo.cluster.internal;

/** The znode layout of one cluster, all under {@code /earthwo/<cluster>}. */
record ClusterPaths(String base) {

    /** The parent of every cluster's znodes, shared by the clusters on one ZooKeeper. */
    static final String SHARED_PARENT = "/earthwo";

    static ClusterPaths of(String cluster) {
        return new ClusterPaths(SHARED_PARENT + "/" + cluster);
    }

    /** Persistent: {"segments":S,"replicas":R}. */
    String config() {
        return base + "/config";
    }

    /** Parent of the ephemeral registrations. */
    String nodes() {
        return base + "/nodes";
    }

    /** Ephemeral: {"id":..,"host":..,"port":..}. */
    String node(int id) {
        return nodes() + "/" + id;
    }

    /** LeaderLatch of the controller election. */
    String controller() {
        return base + "/controller";
    }

    /** Persistent, one per node: written to read ZooKeeper's clock (see ZooKeeperClock). */
    String clock(int id) {
        return base + "/clocks/" + id;
    }

    /** Persistent: the segment map written by the controller. */
    String map() {
        return base + "/map";
    }

    /** Parent of the cluster documents (see ClusterDocumentStore). */
    String docs() {
        return base + "/docs";
    }

    /** Persistent: one cluster document, its content in UTF-8; the name is checked by DocumentRules. */
    String doc(String name) {
        return docs() + "/" + name;
    }
}

package earthwo.cluster.internal;

/**
 * A cluster document as a node last saw it: its content ({@code null} once deleted) and the
 * ZooKeeper transaction id of the change that gave it that content (for a deletion, of the last
 * content seen before it), which orders what the node saw against what it wrote.
 */
record DocumentState(String content, long zxid) {

    boolean exists() {
        return content != null;
    }
}

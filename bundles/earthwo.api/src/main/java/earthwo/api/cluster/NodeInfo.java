package earthwo.api.cluster;

import java.util.Objects;

/** A live node as registered in ZooKeeper: its id and the address clients reach it at. */
public final class NodeInfo {

    private final int id;
    private final String host;
    private final int port;

    public NodeInfo(int id, String host, int port) {
        this.id = id;
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
    }

    public int id() {
        return id;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String address() {
        return host + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeInfo n && n.id == id && n.port == port && n.host.equals(host);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, host, port);
    }

    @Override
    public String toString() {
        return "node " + id + " at " + address();
    }
}

package earthwo.server.internal;

import earthwo.api.Kv;
import earthwo.api.admin.AdminCommands;
import earthwo.api.admin.StatusSource;
import earthwo.api.channels.Channels;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.indexes.Indexes;

import java.util.Collection;

/**
 * The services the server routes requests to, looked up at each request because each may come
 * and go at any time (a bundle update). A null answer means "not there right now".
 */
interface NodeServices {

    Kv kv();

    ClusterView cluster();

    AdminCommands admin();

    /** The secondary indexes (QUERY), or null when the indexes bundle is not running. */
    Indexes indexes();

    /** Publish/subscribe, or null when the channels bundle is not running. */
    Channels channels();

    /** Every registered status source (the server's own may or may not be among them). */
    Collection<StatusSource> statusSources();

    /** The handler registered for a peer message type (0..255), or null when there is none. */
    PeerHandler peerHandler(int messageType);

    /** Whether that handler may run on the connection's I/O thread ({@link PeerHandler#INLINE}). */
    boolean peerInline(int messageType);
}

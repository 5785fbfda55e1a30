package earthwo.cluster.internal;

import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import earthwo.api.cluster.SegmentMap;
import earthwo.cluster.internal.MapCodec.MapDoc;

/**
 * Decides whether this node may act as master of its segments. A node that lost its ZooKeeper
 * session may have been replaced as master without hearing of it, so it acts as master only
 * while connected and while the current map was written for the session it holds. After a lost
 * or expired session the node's registration comes back with a new session, and only a map the
 * controller writes for it lifts the fence (see {@link Controller}).
 */
final class MasterFence {

    private static final Logger LOG = LoggerFactory.getLogger(MasterFence.class);

    private final int nodeId;
    private final String cluster;
    private final ZooKeeperSession session;
    private final SegmentMapCache maps;
    /** Whether master duties were fenced at the last check, to log the transitions once. */
    private volatile boolean fenced;
    /** How often master duties were fenced (a fence can come and go faster than anyone polls). */
    private final AtomicInteger timesFenced = new AtomicInteger();

    MasterFence(int nodeId, String cluster, ZooKeeperSession session, SegmentMapCache maps) {
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.session = session;
        this.maps = maps;
    }

    /** True while this node may act as master: connected, and the current map names its session. */
    boolean mayActAsMaster() {
        MapDoc m = maps.currentDoc();
        long sessionId = session.sessionId();
        return session.isConnected() && m != null && sessionId != 0 && m.session(nodeId) == sessionId;
    }

    /** True if the current map names this node master of the segment and the fence allows it to act. */
    boolean isMaster(int segment) {
        SegmentMap map = maps.currentMap();
        return map != null && segment >= 0 && segment < map.segmentCount() && map.master(segment) == nodeId
                && mayActAsMaster();
    }

    int timesFenced() {
        return timesFenced.get();
    }

    /**
     * Logs when master duties are fenced and when they are given back (re-election). Called after
     * every change of the connection and of the map, the two things the fence depends on.
     */
    void check() {
        SegmentMap map = maps.currentMap();
        if (map == null) {
            return;
        }
        boolean now = !mayActAsMaster();
        if (now == fenced) {
            return;
        }
        fenced = now;
        int mastered = SegmentMapCache.masteredBy(map, nodeId);
        String sessionId = Long.toHexString(session.sessionId());
        if (now) {
            timesFenced.incrementAndGet();
            LOG.warn("node {} cluster {} epoch {}: fenced: not acting as master of {} segments until the controller"
                    + " publishes a map for this node's ZooKeeper session (connected {}, session {})", nodeId,
                    cluster, map.epoch(), mastered, session.isConnected(), sessionId);
        } else {
            LOG.info("node {} cluster {} epoch {}: re-elected: acting as master of {} segments (session {})", nodeId,
                    cluster, map.epoch(), mastered, sessionId);
        }
    }
}

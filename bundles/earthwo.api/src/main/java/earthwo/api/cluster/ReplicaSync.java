package earthwo.api.cluster;

import org.osgi.annotation.versioning.ProviderType;

import java.util.Map;
import java.util.Set;

/**
 * What this node knows about the agreement of its segments' replicas (provided by the
 * replication bundle from anti-entropy and hinted handoff): used by {@code cluster:status}.
 */
@ProviderType
public interface ReplicaSync {

    /** For each segment this node holds: the replica nodes last found in sync with this node. */
    Map<Integer, Set<Integer>> inSync();

    /**
     * True when the last anti-entropy pass found this node's copy of the segment equal to another
     * replica's since this node started: a key it does not have is then absent, not missed.
     */
    default boolean confirmedInSync(int segment) {
        Set<Integer> peers = inSync().get(segment);
        return peers != null && !peers.isEmpty();
    }

    /** Epoch ms of the last completed anti-entropy pass of a segment, or 0 if none yet. */
    long lastPass(int segment);
}

package earthwo.api.admin;

import earthwo.api.Version;
import org.osgi.annotation.versioning.ProviderType;

import java.util.List;

/**
 * Finds and rewrites the records of this node whose version is further ahead of its clock than
 * the cluster's maximum clock offset ({@code earthwo.clock.max.offset.ms}): stored before
 * versions were checked where they enter a node, by a node whose clock had jumped ahead. Such a
 * version beats every correctly stamped write of its key, so writes of the key fail with
 * CLOCK_SKEW until the record is rewritten. A rewrite keeps the value (or the deletion) and the
 * expiry and gives the record a version of this node's clock now. It changes this node's copies
 * only: run it on every node that reports such records (anti-entropy then aligns the replicas,
 * and refuses the old versions wherever they are offered again).
 *
 * <p>Provided by the replication bundle.
 */
@ProviderType
public interface FutureVersions {

    /** One such record: its segment, key, version and how far that version is ahead, in ms. */
    record Found(int segment, byte[] key, Version version, long aheadMillis) {
    }

    /** Such records in the segments this node holds, in segment and key order, at most {@code limit}. */
    List<Found> find(int limit);

    /** Rewrites every such record of the segments this node holds; returns how many were rewritten. */
    long rewrite();
}

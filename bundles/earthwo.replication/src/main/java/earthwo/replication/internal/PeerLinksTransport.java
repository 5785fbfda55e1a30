package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.hooks.EventType;
import earthwo.api.cluster.PeerLinks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Sends committed records to replicas as APPLY peer messages over the node-to-node links
 * ({@link PeerLinks}, provided by the server bundle). While no links are available every remote
 * replica counts as unreachable (the caller stores hints for them).
 */
final class PeerLinksTransport implements ReplicaTransport {

    private final Supplier<PeerLinks> links;
    private final LongSupplier mapEpoch;
    private final Duration timeout;

    PeerLinksTransport(Supplier<PeerLinks> links, LongSupplier mapEpoch, Duration timeout) {
        this.links = links;
        this.mapEpoch = mapEpoch;
        this.timeout = timeout;
    }

    @Override
    public CompletionStage<Void> send(int nodeId, int segment, Record record) {
        return send(nodeId, segment, record, null);
    }

    @Override
    public CompletionStage<Void> send(int nodeId, int segment, Record record, EventType event) {
        PeerLinks l = links.get();
        if (l == null) {
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE,
                    "no node-to-node links: replica node " + nodeId + " of segment " + segment + " is not reachable"));
        }
        try {
            return l.call(nodeId, PeerMessages.encodeApply(segment, mapEpoch.getAsLong(), record, event), timeout)
                    .thenApply(answer -> {
                        PeerMessages.decodeApplied(answer);
                        return null;
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}

package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The transport of a node without node-to-node links: every remote replica counts as down, so a
 * write succeeds only when the local replica alone meets its write concern (always true for a
 * single node, whose segments have one replica).
 */
final class NoRemoteTransport implements ReplicaTransport {

    @Override
    public CompletionStage<Void> send(int nodeId, int segment, Record record) {
        return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE,
                "replica node " + nodeId + " of segment " + segment + " is not reachable"));
    }
}

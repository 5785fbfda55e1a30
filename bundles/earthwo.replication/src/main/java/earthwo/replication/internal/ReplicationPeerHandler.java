package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.cluster.PeerHandler;
import earthwo.replication.internal.PeerMessages.Apply;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers the replication peer messages (types 1–3, see {@link PeerMessages}) with one node's
 * write coordinator: APPLY applies a replica write last-writer-wins, FORWARD runs a client write
 * that a node without the key's segment forwarded here, READ returns this replica's raw copy of a key.
 */
final class ReplicationPeerHandler implements PeerHandler {

    private final WriteCoordinator coordinator;

    ReplicationPeerHandler(WriteCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletionStage<byte[]> handle(byte[] payload) {
        try {
            if (payload == null || payload.length == 0) {
                throw new EarthwoException(ErrorCode.BAD_REQUEST, "empty peer message");
            }
            int type = payload[0] & 0xff;
            switch (type) {
                case PeerMessages.APPLY: {
                    Apply a = PeerMessages.decodeApply(payload);
                    return coordinator.applyReplica(a.segment(), a.mapEpoch(), a.record(), a.event()).thenApply(PeerMessages::encodeApplied);
                }
                case PeerMessages.READ: {
                    PeerMessages.Read r = PeerMessages.decodeRead(payload);
                    return CompletableFuture.completedFuture(
                            PeerMessages.encodeReadAnswer(r.segment(), coordinator.readLocal(r.segment(), r.key())));
                }
                case PeerMessages.FORWARD:
                    return coordinator.forwardedWrite(PeerMessages.decodeForward(payload))
                            .thenApply(PeerMessages::encodeWriteResult);
                default:
                    throw new EarthwoException(ErrorCode.BAD_REQUEST, "unknown replication peer message type " + type);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}

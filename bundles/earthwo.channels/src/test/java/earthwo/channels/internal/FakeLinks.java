package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.PeerLinks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Node-to-node links between in-memory nodes: a call goes to the {@link PeerHandler} of the node
 * called, on the caller's thread. A node in {@link #down} fails at once (UNAVAILABLE). Every call
 * is recorded with the calling node.
 */
final class FakeLinks {

    /** One call: from, to, and the message type (first byte). */
    record Call(int from, int to, int type) {
    }

    final Map<Integer, PeerHandler> nodes = new ConcurrentHashMap<>();
    final Set<Integer> down = ConcurrentHashMap.newKeySet();
    final List<Call> calls = new CopyOnWriteArrayList<>();

    /** The links as the node {@code from} sees them. */
    PeerLinks from(int from) {
        return new PeerLinks() {
            @Override
            public CompletionStage<byte[]> call(int nodeId, byte[] payload, Duration timeout) {
                calls.add(new Call(from, nodeId, payload.length == 0 ? -1 : payload[0] & 0xff));
                if (down.contains(nodeId) || down.contains(from)) {
                    return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE,
                            "node " + nodeId + " down"));
                }
                PeerHandler h = nodes.get(nodeId);
                if (h == null) {
                    return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE,
                            "node " + nodeId + " unknown"));
                }
                return h.handle(payload);
            }
        };
    }

    /** Calls of one message type to one node. */
    long callsTo(int node, int type) {
        return calls.stream().filter(c -> c.to() == node && c.type() == type).count();
    }
}

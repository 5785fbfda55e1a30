package earthwo.hooks.internal;

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
 * Node-to-node links between in-memory nodes: a call to a node goes to the {@link PeerHandler}
 * registered for it. A node in {@link #down} fails at once (UNAVAILABLE), one in {@link #silent}
 * never answers, one in {@link #throwing} makes the call itself throw, an unknown one fails.
 */
final class FakeLinks implements PeerLinks {

    /** One call: the node, the message type (first byte) and the payload. */
    record Call(int node, int type, byte[] payload) {
    }

    final Map<Integer, PeerHandler> nodes = new ConcurrentHashMap<>();
    final Set<Integer> down = ConcurrentHashMap.newKeySet();
    final Set<Integer> silent = ConcurrentHashMap.newKeySet();
    final Set<Integer> throwing = ConcurrentHashMap.newKeySet();
    final List<Call> calls = new CopyOnWriteArrayList<>();

    FakeLinks with(int node, PeerHandler handler) {
        nodes.put(node, handler);
        return this;
    }

    /** Calls of one message type, in order. */
    List<Call> calls(int type) {
        return calls.stream().filter(c -> c.type() == type).toList();
    }

    @Override
    public CompletionStage<byte[]> call(int nodeId, byte[] payload, Duration timeout) {
        calls.add(new Call(nodeId, payload.length == 0 ? -1 : payload[0] & 0xff, payload));
        if (throwing.contains(nodeId)) {
            throw new IllegalStateException("links closed");
        }
        if (down.contains(nodeId)) {
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE, "node " + nodeId + " down"));
        }
        if (silent.contains(nodeId)) {
            return new CompletableFuture<>();
        }
        PeerHandler h = nodes.get(nodeId);
        if (h == null) {
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE, "node " + nodeId + " unknown"));
        }
        return h.handle(payload);
    }
}

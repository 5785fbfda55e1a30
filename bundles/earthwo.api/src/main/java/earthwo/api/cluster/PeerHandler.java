package earthwo.api.cluster;

import java.util.concurrent.CompletionStage;

/**
 * Handles peer messages arriving from other nodes (whiteboard: the server routes each
 * {@code PEER} frame to the handler whose {@link #MESSAGE_TYPES} service property lists the
 * payload's first byte). Replication, anti-entropy and segment transfer each register one.
 */
public interface PeerHandler {

    /** Service property: the message types (first payload byte, 0..255) this handler takes, as Integer[] or int[]. */
    String MESSAGE_TYPES = "earthwo.peer.types";

    /**
     * Service property, Boolean: true when the handler does no more than a client's GET or PUT
     * does (local store and node-to-node calls, never a scan or a wait on something else), so
     * that the server may run it on the connection's I/O thread, inside that thread's write
     * burst, instead of handing it to its peer threads: two thread hand-offs fewer per message.
     */
    String INLINE = "earthwo.peer.inline";

    /** Answers one message; a failure should be an {@link earthwo.api.EarthwoException}. */
    CompletionStage<byte[]> handle(byte[] payload);
}

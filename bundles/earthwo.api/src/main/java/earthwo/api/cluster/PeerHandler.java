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

    /** Answers one message; a failure should be an {@link earthwo.api.EarthwoException}. */
    CompletionStage<byte[]> handle(byte[] payload);
}

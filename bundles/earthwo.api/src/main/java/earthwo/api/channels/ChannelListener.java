package earthwo.api.channels;

import earthwo.api.EarthwoException;

/**
 * Receives what a {@link Subscription} delivers, one call at a time, on a delivery thread of the
 * node. A listener must not block for long: while one of its calls runs, the subscription's
 * buffer fills, and a full buffer closes the subscription with
 * {@link earthwo.api.ErrorCode#SLOW_CONSUMER}. A listener that writes to a network connection
 * should {@link Subscription#pause() pause} the subscription while the connection cannot take more.
 */
public interface ChannelListener {

    /**
     * True when every call of this listener returns at once (it only hands the message on, e.g.
     * queues it for a socket): the node may then call it on the thread that publishes or receives
     * the message, when the message has few subscribers on the node and nothing waits in the
     * subscription's buffer, sparing a hand-over to a delivery thread. Calls still never overlap
     * and keep their order. False by default.
     */
    default boolean neverBlocks() {
        return false;
    }

    /** One message, in order per publisher and channel, never twice. */
    void onMessage(ChannelMessage message);

    /**
     * Messages of one publisher on one channel that this subscriber will never receive: the
     * windows no longer held them when it resumed, or they were lost between nodes. Called before
     * the message that follows them.
     */
    default void onGap(Gap gap) {
    }

    /**
     * The subscription ended: {@code reason} null when it was closed by its owner, else why
     * (SLOW_CONSUMER when its buffer overflowed, UNAVAILABLE when the node stopped). The last call.
     */
    default void onClosed(EarthwoException reason) {
    }
}

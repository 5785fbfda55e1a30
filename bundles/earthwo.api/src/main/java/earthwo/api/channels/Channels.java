package earthwo.api.channels;

import org.osgi.annotation.versioning.ProviderType;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Publish/subscribe across the cluster (registered by the channels bundle). A message published on
 * any node reaches every matching subscriber on every node; the messages of one publisher on one
 * channel reach each subscriber in the order they were published, each with its publisher's id
 * and sequence number, so a subscriber can tell what it missed.
 *
 * <p>Every node keeps a bounded window of recent messages per channel; a subscriber that fails
 * over to another node gives the {@link ResumePoint} it had reached and gets what it missed from
 * the windows, or a {@link Gap} naming what they no longer hold.
 *
 * <p>Errors are {@link earthwo.api.EarthwoException}s: BAD_REQUEST for a bad channel name or
 * pattern (see {@link ChannelNames}); TOO_LARGE for a message over the node's value limit, or a
 * connection with more than {@link #MAX_SUBSCRIPTIONS_PER_CONNECTION} open subscriptions;
 * UNAVAILABLE while the node is stopping.
 */
@ProviderType
public interface Channels {

    /**
     * The most open subscriptions one connection may hold: {@link #subscribe} counts the
     * subscriptions of each {@link SubscribeRequest#connection() connection key} and refuses one
     * more with TOO_LARGE. A request without a connection key (an in-process subscriber) is not
     * counted.
     */
    int MAX_SUBSCRIPTIONS_PER_CONNECTION = 1_000;

    /**
     * Publishes a message on this node: it gets one of this node's publisher ids (a node draws a new
     * one when it starts, and for a channel it had forgotten as idle) and the next sequence of
     * that publisher on the channel, reaches this node's matching subscribers and goes to every
     * other node with a matching subscription. Completes once those nodes answered (or failed to
     * within the node's peer timeout): the result says how many took it.
     *
     * @param channel a channel name (not a pattern), see {@link ChannelNames#checkName}
     * @param message at most the node's value limit ({@link earthwo.api.Limits#MAX_VALUE_BYTES} by default)
     */
    CompletionStage<PublishResult> publish(String channel, byte[] message);

    /**
     * Opens a subscription: live messages of the request's channels and patterns, preceded, when
     * the request has a resume point, by what the windows of the cluster still hold after it.
     * The listener is called from the node's delivery threads, one call at a time per
     * subscription, never from the publisher's thread.
     */
    Subscription subscribe(SubscribeRequest request, ChannelListener listener);

    /** The channels this node knows (published, received or subscribed by name), by name, with their figures. */
    List<ChannelInfo> list();
}

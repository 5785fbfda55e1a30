package earthwo.api.channels;

/**
 * One channel as a node sees it.
 *
 * @param name the channel
 * @param subscribers open subscriptions on this node that match it (by name or pattern)
 * @param published messages published on this node
 * @param received messages received from other nodes
 * @param forwarded copies sent to other nodes
 * @param delivered messages handed to this node's subscribers
 * @param dropped messages lost on this node: copies that did not reach another node, and
 *        messages of subscriptions cut off as slow consumers
 * @param cutOff subscriptions of this channel closed as slow consumers
 * @param retained messages in this node's window
 */
public record ChannelInfo(String name, int subscribers, long published, long received, long forwarded,
                          long delivered, long dropped, long cutOff, int retained) {
}

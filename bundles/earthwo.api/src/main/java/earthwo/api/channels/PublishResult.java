package earthwo.api.channels;

/**
 * The answer to a publish.
 *
 * @param nodes how many nodes took the message: the publishing node (it keeps the message in its
 *        window) plus every node with a matching subscription that answered
 * @param failedNodes nodes with a matching subscription that did not take it (down or too slow)
 * @param publisherId the id the message was published under
 * @param sequence its sequence within that publisher's messages on the channel
 */
public record PublishResult(int nodes, int failedNodes, String publisherId, long sequence) {
}

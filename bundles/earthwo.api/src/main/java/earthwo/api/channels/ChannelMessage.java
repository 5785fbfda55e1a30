package earthwo.api.channels;

import java.util.Objects;

/**
 * A published message as a subscriber receives it.
 *
 * @param channel the channel it was published on
 * @param payload the bytes published (not copied: do not change them)
 * @param publisherId the publisher: the publishing node with a part drawn when it started, so a
 *        restarted node is a new publisher ({@link PublisherIds})
 * @param sequence the publisher's sequence on this channel: 1, 2, ... without holes
 * @param publishedAt when the publishing node took it, epoch ms (that node's clock)
 */
public record ChannelMessage(String channel, byte[] payload, String publisherId, long sequence, long publishedAt) {

    public ChannelMessage {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(publisherId, "publisherId");
    }

    /** The ordered stream this message belongs to. */
    public StreamKey stream() {
        return new StreamKey(channel, publisherId);
    }

    @Override
    public String toString() {
        return channel + " " + publisherId + "#" + sequence + " (" + payload.length + " bytes)";
    }
}

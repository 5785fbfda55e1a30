package earthwo.api.channels;

import java.util.Objects;

/**
 * The messages of one publisher on one channel: the unit of order. Sequences count per stream,
 * so a subscriber of some channels can tell a missing message from one published elsewhere.
 */
public record StreamKey(String channel, String publisherId) {

    public StreamKey {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(publisherId, "publisherId");
    }

    @Override
    public String toString() {
        return channel + "/" + publisherId;
    }
}

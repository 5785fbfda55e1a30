package earthwo.api.channels;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * Publisher ids: {@code <nodeId>-<16 hex digits>}, the node that publishes and a part drawn at
 * random when its channels component starts. A restarted node is a new publisher whose sequences
 * start again at 1, and a subscriber never mistakes them for the old ones. A node also draws a new
 * one for a channel it forgot as idle, since that channel's sequences start again too.
 */
public final class PublisherIds {

    private PublisherIds() {
    }

    /** A new publisher id for the node. */
    public static String draw(int nodeId, RandomGenerator random) {
        return nodeId + "-" + HexFormat.of().toHexDigits(random.nextLong());
    }

    /** The node a publisher id names; BAD_REQUEST if it is not a publisher id. */
    public static int nodeOf(String publisherId) {
        int dash = publisherId == null ? -1 : publisherId.indexOf('-');
        if (dash <= 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "not a publisher id: " + publisherId);
        }
        try {
            return Integer.parseInt(publisherId, 0, dash, 10);
        } catch (NumberFormatException e) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "not a publisher id: " + publisherId);
        }
    }
}

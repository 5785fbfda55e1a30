package earthwo.api.protocol;

import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;

import java.nio.ByteBuffer;

/**
 * Frames a node sends without a request: what a subscription delivers (WIRE-PROTOCOL.md §14). Each
 * carries the id of the SUBSCRIBE request that opened the subscription and a status of its own
 * ({@link Frames#STATUS_MESSAGE}, {@link Frames#STATUS_GAP}, {@link Frames#STATUS_ENDED}), so a
 * client tells them from answers by the status byte alone.
 */
public final class PushFrames {

    /**
     * The subscription ended: {@code code} null when it was closed by UNSUBSCRIBE, else why
     * (SLOW_CONSUMER: its buffer overflowed; UNAVAILABLE: the node's channels stopped).
     */
    public record Ended(ErrorCode code, String message) {
    }

    private PushFrames() {
    }

    /** True for the status byte of a pushed frame. */
    public static boolean isPush(int status) {
        return status == Frames.STATUS_MESSAGE || status == Frames.STATUS_GAP || status == Frames.STATUS_ENDED;
    }

    /** The whole frame (length prefix included) delivering {@code message} to subscription {@code id}. */
    public static byte[] message(int id, ChannelMessage message) {
        return ChannelCodec.message(id, message);
    }

    /** The whole frame telling subscription {@code id} of a gap. */
    public static byte[] gap(int id, Gap gap) {
        return ChannelCodec.gap(id, gap);
    }

    /** The last frame of subscription {@code id}; {@code code} null when its owner closed it. */
    public static byte[] ended(int id, ErrorCode code, String message) {
        return ChannelCodec.ended(id, code, message);
    }

    /**
     * Decodes the bytes after a pushed frame's length prefix: a {@link ChannelMessage}, a
     * {@link Gap} or an {@link Ended}.
     *
     * @throws ProtocolException when the frame is malformed or not a pushed frame
     */
    public static Object decode(ByteBuffer body) {
        if (body.remaining() < Frames.HEADER_BYTES) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "pushed frame shorter than its header", -1);
        }
        int status = body.get() & 0xff;
        int id = body.getInt();
        WireReader r = new WireReader(body, id);
        Object item = ChannelCodec.readPush(status, r);
        r.end();
        return item;
    }
}

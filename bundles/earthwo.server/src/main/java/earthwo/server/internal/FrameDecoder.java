package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.ProtocolException;
import earthwo.api.protocol.ProtocolLimits;
import earthwo.api.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Splits the byte stream into frames (int32 big-endian length, then that many bytes) and decodes
 * each with {@link Request#decode}. Emits {@link Request}s and {@link FrameError}s.
 *
 * <ul>
 *   <li>A length below the 5-byte header or above the frame limit: BAD_REQUEST / TOO_LARGE with
 *       request id -1, then the connection closes. Nothing of the declared size is allocated: the
 *       buffer only ever holds the bytes that have arrived.</li>
 *   <li>A body that fails to decode with BAD_REQUEST: answered with its request id, then closed.</li>
 *   <li>A key or value over its limit inside a well-formed frame (TOO_LARGE): answered, and the
 *       connection stays open, since the whole frame was consumed and the stream is in sync.</li>
 * </ul>
 *
 * After a fatal error every further byte is discarded. While {@code paused} says so (too many
 * requests in flight) no further frame is decoded; the bytes wait in the buffer.
 *
 * <p>A frame begun but left incomplete with no new byte for {@code stallTimeoutMs} (a client that
 * died without closing, or one holding connections open with half frames) is BAD_REQUEST with
 * request id -1, then the connection closes. While paused the wait is the node's, not the
 * client's, so it does not count. A timer runs only while a partial frame is buffered.
 *
 * <p>The same framing serves the client side of node-to-node links ({@link PeerLinksComponent}):
 * there the body is not decoded here but handed on as a {@code byte[]} (see {@link #rawBodies}),
 * because a response's layout depends on the opcode of the request with its id.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private final ProtocolLimits limits;
    private final BooleanSupplier paused;
    private final Function<ByteBuffer, Object> bodies;
    /** 0: a partial frame may wait for ever. */
    private final long stallTimeoutMs;
    private boolean failed;
    private long lastBytesAt;
    private ScheduledFuture<?> stallCheck;

    FrameDecoder(ProtocolLimits limits, BooleanSupplier paused, long stallTimeoutMs) {
        this(limits, paused, body -> Request.decode(body, limits), stallTimeoutMs);
    }

    private FrameDecoder(ProtocolLimits limits, BooleanSupplier paused, Function<ByteBuffer, Object> bodies,
                         long stallTimeoutMs) {
        this.limits = limits;
        this.paused = paused;
        this.bodies = bodies;
        this.stallTimeoutMs = stallTimeoutMs;
    }

    /** A decoder that emits each frame's body (the bytes after the length prefix) as a {@code byte[]}. */
    static FrameDecoder rawBodies(ProtocolLimits limits) {
        return new FrameDecoder(limits, () -> false, body -> {
            byte[] b = new byte[body.remaining()];
            body.get(b);
            return b;
        }, 0);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf b && b.isReadable()) {
            lastBytesAt = System.nanoTime();
        }
        super.channelRead(ctx, msg);
        if (stallTimeoutMs > 0 && stallCheck == null && holdsPartialFrame()) {
            stallCheck = ctx.executor().schedule(() -> checkStall(ctx), stallTimeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    private boolean holdsPartialFrame() {
        return !failed && actualReadableBytes() > 0;
    }

    private void checkStall(ChannelHandlerContext ctx) {
        stallCheck = null;
        if (!holdsPartialFrame() || !ctx.channel().isActive()) {
            return;
        }
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastBytesAt);
        boolean held = paused.getAsBoolean(); // the node holds the bytes back: not the client's wait
        if (held || waited < stallTimeoutMs) {
            long next = held ? stallTimeoutMs : stallTimeoutMs - waited;
            stallCheck = ctx.executor().schedule(() -> checkStall(ctx), next, TimeUnit.MILLISECONDS);
            return;
        }
        int buffered = actualReadableBytes();
        failed = true;
        internalBuffer().skipBytes(buffered);
        ctx.fireChannelRead(new FrameError(new EarthwoException(ErrorCode.BAD_REQUEST, "incomplete frame: "
                + buffered + " bytes of it arrived, then nothing for " + waited + " ms"), -1, true));
        ctx.fireChannelReadComplete();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        handlerRemoved0(ctx);
        super.channelInactive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (paused.getAsBoolean() || in.readableBytes() < Frames.LENGTH_BYTES) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < Frames.HEADER_BYTES) {
            fail(in, out, new EarthwoException(ErrorCode.BAD_REQUEST, "frame length " + length
                    + " is below the " + Frames.HEADER_BYTES + "-byte header"), -1);
            return;
        }
        if (length > limits.maxFrameBytes()) {
            fail(in, out, new EarthwoException(ErrorCode.TOO_LARGE, "frame of " + length
                    + " bytes exceeds the limit of " + limits.maxFrameBytes()), -1);
            return;
        }
        if (in.readableBytes() < Frames.LENGTH_BYTES + length) {
            return;
        }
        ByteBuffer body = in.nioBuffer(in.readerIndex() + Frames.LENGTH_BYTES, length);
        try {
            out.add(bodies.apply(body));
            in.skipBytes(Frames.LENGTH_BYTES + length);
        } catch (ProtocolException e) {
            in.skipBytes(Frames.LENGTH_BYTES + length);
            if (e.code() == ErrorCode.TOO_LARGE) {
                out.add(new FrameError(e, e.requestId(), false));
            } else {
                fail(in, out, e, e.requestId());
            }
        }
    }

    private void fail(ByteBuf in, List<Object> out, EarthwoException e, int requestId) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(new FrameError(e, requestId, true));
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // The connection is gone: a partial frame left in the buffer has nobody to answer.
        in.skipBytes(in.readableBytes());
    }
}

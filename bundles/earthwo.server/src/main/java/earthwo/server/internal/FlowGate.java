package earthwo.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * First handler of a connection: counts the bytes in and out, and holds back socket reads while
 * the connection is paused (too many requests in flight, or the client does not read its answers).
 * Pausing turns auto-read off; this handler also swallows the explicit {@code read()} a decoder
 * issues when it wants more bytes, so a paused connection really reads nothing.
 */
final class FlowGate extends ChannelDuplexHandler {

    private final ServerStats stats;
    private boolean paused;

    FlowGate(ServerStats stats) {
        this.stats = stats;
    }

    /** Called on the I/O thread. */
    void pause(ChannelHandlerContext any) {
        if (!paused) {
            paused = true;
            any.channel().config().setAutoRead(false);
        }
    }

    /** Called on the I/O thread. */
    void resume(ChannelHandlerContext any) {
        if (paused) {
            paused = false;
            any.channel().config().setAutoRead(true);
        }
    }

    boolean isPaused() {
        return paused;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!paused) {
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            stats.bytesIn.add(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            stats.bytesOut.add(b.readableBytes());
        }
        ctx.write(msg, promise);
    }
}

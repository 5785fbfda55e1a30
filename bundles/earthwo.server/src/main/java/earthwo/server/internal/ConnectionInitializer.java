package earthwo.server.internal;

import earthwo.api.ErrorCode;
import earthwo.api.protocol.ProtocolLimits;
import earthwo.api.protocol.Response;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.TimeUnit;

/**
 * Sets up each accepted connection: {@link FlowGate} → {@link FrameDecoder} → {@link ConnectionHandler}.
 * Over the connection limit it instead answers BUSY (request id -1) and closes.
 */
final class ConnectionInitializer extends ChannelInitializer<SocketChannel> {

    private final ServerSettings settings;
    private final ProtocolLimits limits;
    private final RequestDispatcher dispatcher;
    private final ServerStats stats;
    private final boolean dataSecretRequired;
    private final ChannelGroup channels;

    ConnectionInitializer(ServerSettings settings, RequestDispatcher dispatcher, ServerStats stats,
                          boolean dataSecretRequired, ChannelGroup channels) {
        this.settings = settings;
        this.limits = new ProtocolLimits(settings.maxKeyBytes, settings.maxValueBytes, settings.maxFrameBytes);
        this.dispatcher = dispatcher;
        this.stats = stats;
        this.dataSecretRequired = dataSecretRequired;
        this.channels = channels;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        if (settings.tls != null) {
            ch.pipeline().addLast("tls", settings.tls.serverHandler(ch.alloc()));
        }
        if (!tryAcquire()) {
            stats.connectionsRejected.increment();
            stats.error(ErrorCode.BUSY);
            ch.pipeline().addLast(new Reject("too many connections (limit " + settings.maxConnections + "); retry later"));
            return;
        }
        stats.connectionsAccepted.increment();
        ch.closeFuture().addListener(f -> stats.connectionsOpen.decrementAndGet());
        FlowGate gate = new FlowGate(stats);
        Session session = new Session(String.valueOf(ch.remoteAddress()), dataSecretRequired);
        ConnectionHandler handler = new ConnectionHandler(dispatcher, stats, gate, session, settings.maxInFlight);
        if (settings.idleTimeoutMs > 0) {
            // Reader idleness only: tracking writes too would wrap every answer's void promise.
            ch.pipeline().addLast("idle", new IdleStateHandler(settings.idleTimeoutMs, 0, 0, TimeUnit.MILLISECONDS));
        }
        ch.pipeline().addLast("flow", gate)
                .addLast("frames", new FrameDecoder(limits, handler::holdRequests, settings.frameStallTimeoutMs))
                .addLast("requests", handler);
    }

    private boolean tryAcquire() {
        while (true) {
            int open = stats.connectionsOpen.get();
            if (open >= settings.maxConnections) {
                return false;
            }
            if (stats.connectionsOpen.compareAndSet(open, open + 1)) {
                return true;
            }
        }
    }

    /** Answers BUSY to a connection over the limit, reads nothing from it, and closes it. */
    private static final class Reject extends ChannelInboundHandlerAdapter {
        private final String message;

        Reject(String message) {
            this.message = message;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(Response.error(-1, ErrorCode.BUSY, message).encode()))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

package earthwo.server.internal;

import earthwo.api.ErrorCode;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One client connection after the decoder: hands each request to the {@link RequestDispatcher}
 * and writes each answer when it is ready (possibly out of order). Every field is confined to the
 * connection's I/O thread; answers completed elsewhere hop onto it.
 *
 * <p>Flushing: answers written while a read batch is being processed are flushed once, in
 * {@code channelReadComplete}; answers completed later are flushed by one task per burst.
 *
 * <p>Backpressure: at {@code maxInFlight} unanswered requests, or when the socket's outbound
 * buffer is over its high-water mark, the {@link FlowGate} stops reading; reading resumes when
 * half of them are answered and the socket is writable again.
 *
 * <p>After a fatal frame error (or too many wrong secrets) the error is answered, nothing more
 * is read, and the connection closes once the requests still in flight are answered (bounded).
 *
 * <p>A client connection with nothing in flight that sent nothing for the idle timeout is closed,
 * so that forgotten connections cannot use up the connection limit; clients
 * reconnect on their next request. Connections of other nodes (peer role) and connections with an
 * open subscription are kept. A connection's subscriptions end when it closes
 * ({@link ConnectionSubscriptions}).
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final long CLOSE_GRACE_MS = 5_000;

    private final RequestDispatcher dispatcher;
    private final ServerStats stats;
    private final FlowGate gate;
    private final int maxInFlight;
    private final int resumeBelow;
    private ChannelHandlerContext ctx;
    private Session session;
    private int inFlight;
    private boolean inReadBatch;
    private boolean flushScheduled;
    private boolean closing;

    ConnectionHandler(RequestDispatcher dispatcher, ServerStats stats, FlowGate gate, Session session, int maxInFlight) {
        this.dispatcher = dispatcher;
        this.stats = stats;
        this.gate = gate;
        this.session = session;
        this.maxInFlight = maxInFlight;
        this.resumeBelow = Math.max(1, maxInFlight / 2);
    }

    /** True while no further request may be decoded. */
    boolean holdRequests() {
        return closing || gate.isPaused();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (!closing && inFlight == 0 && !session.isPeer() && !session.subscriptions().any()) {
                stats.idleClosed.increment();
                LOG.debug("closing {}: idle", session.remote);
                closing = true;
                closeNow();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        session.attach(new ConnectionSubscriptions(ctx.channel(), session.remote + "#" + ctx.channel().id().asShortText(),
                stats));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.subscriptions().closeAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inReadBatch = true;
        if (msg instanceof Request req) {
            onRequest(req);
        } else if (msg instanceof FrameError err) {
            onFrameError(err);
        } else {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(Request req) {
        if (closing) {
            return;
        }
        inFlight++;
        updateFlow();
        dispatcher.dispatch(req, session, ctx.executor()).whenComplete((resp, t) -> {
            Response r = resp != null ? resp
                    : Response.error(req.id(), ErrorCode.INTERNAL, "no answer: " + t);
            if (ctx.executor().inEventLoop()) {
                answer(r);
            } else {
                ctx.executor().execute(() -> answer(r));
            }
        });
    }

    private void answer(Response r) {
        inFlight--;
        stats.requestsServed.increment();
        send(r);
        if (!closing && dispatcher.mustClose(session)) {
            startClosing();
        }
        if (closing) {
            if (inFlight == 0) {
                closeNow();
            }
        } else {
            updateFlow();
        }
    }

    private void onFrameError(FrameError err) {
        if (closing) {
            return;
        }
        LOG.debug("bad frame from {}: {}", session.remote, err.error.getMessage());
        send(Response.error(err.requestId, err.error));
        if (err.close) {
            startClosing();
            if (inFlight == 0) {
                closeNow();
            }
        }
    }

    private void send(Response r) {
        if (r.isError()) {
            stats.error(ErrorCode.fromWire(r.status()));
        }
        if (!ctx.channel().isActive()) {
            return;
        }
        ctx.write(Unpooled.wrappedBuffer(r.encode()), ctx.voidPromise());
        if (!inReadBatch && !flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(this::flushNow);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        ctx.flush();
    }

    private void startClosing() {
        closing = true;
        gate.pause(ctx);
        ctx.executor().schedule(this::closeNow, CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    private void closeNow() {
        if (ctx.channel().isOpen()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void updateFlow() {
        boolean writable = ctx.channel().isWritable();
        if (!gate.isPaused()) {
            if (inFlight >= maxInFlight || !writable) {
                gate.pause(ctx);
            }
        } else if (!closing && inFlight <= resumeBelow && writable) {
            gate.resume(ctx);
            // Frames already buffered in the decoder are decoded without waiting for new bytes.
            ctx.executor().execute(this::redriveDecoder);
        }
    }

    private void redriveDecoder() {
        if (!closing && !gate.isPaused() && ctx.channel().isActive()) {
            ctx.pipeline().fireChannelRead(Unpooled.EMPTY_BUFFER);
            ctx.pipeline().fireChannelReadComplete();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBatch = false;
        flushScheduled = false;
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!closing) {
            updateFlow();
        }
        session.subscriptions().writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("connection {}: {}", session.remote, cause.toString());
        } else {
            LOG.warn("connection {} failed; closing it", session.remote, cause);
        }
        ctx.close();
    }
}

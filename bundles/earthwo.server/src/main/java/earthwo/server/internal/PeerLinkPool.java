package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.admin.StatusSource;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Opcode;
import earthwo.api.protocol.ProtocolException;
import earthwo.api.protocol.ProtocolLimits;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The node-to-node links of one node, free of OSGi: one pooled, pipelined connection per peer
 * node, opened on demand.
 *
 * <ul>
 *   <li><b>Addressing.</b> A node id is resolved at every call through the cluster view's current
 *       map ({@code nodes()}); an unknown node (or no cluster view) is UNAVAILABLE. When the
 *       node's host:port in the map changes, the old connection is closed and a new one opened.</li>
 *   <li><b>Pipelining.</b> Every call gets a request id of its connection (1, 2, …; 0 is the
 *       AUTH) and waits in the connection's pending map; answers are matched by id, in any
 *       order. Writes are flushed once per burst.</li>
 *   <li><b>Timeouts.</b> Each call has its own timeout, counted from the call (so it covers
 *       connecting too), scheduled on the links' event loop. A timed-out call is UNAVAILABLE; its
 *       late answer is dropped. A timeout does not close the connection.</li>
 *   <li><b>Failures.</b> A connection that cannot be opened (refused, connect timeout, AUTH
 *       rejected) is remembered for {@code failure.memory.ms} (500 ms): calls meanwhile fail at
 *       once with UNAVAILABLE (AUTH for a rejected secret) without touching the network; the
 *       first call after that tries again. A connection that closes fails its pending calls
 *       with UNAVAILABLE; the next call reconnects at once.</li>
 *   <li><b>Threads.</b> {@code links.threads} Netty I/O threads named
 *       {@value #THREAD_NAME}; futures complete on them, so callers must not block in dependent
 *       stages (use the {@code *Async} variants with their own executor for disk I/O).
 *       {@link #close()} closes every connection, fails every pending call and stops the threads.</li>
 * </ul>
 */
final class PeerLinkPool implements PeerLinks, StatusSource, AutoCloseable {

    static final String THREAD_NAME = NodeServer.THREAD_PREFIX + "-links";
    static final String STATUS_NAME = "links";

    private static final Logger LOG = LoggerFactory.getLogger(PeerLinkPool.class);
    private static final int AUTH_ID = 0;
    private static final long SWEEP_MS = 30_000;

    private final LinkSettings settings;
    private final Supplier<ClusterView> cluster;
    private final PeerBlocks blocks;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final ProtocolLimits limits;
    private final Map<Integer, Link> links = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> sweeper;
    private volatile boolean closed;

    PeerLinkPool(LinkSettings settings, Supplier<ClusterView> cluster) {
        this(settings, cluster, new PeerBlocks());
    }

    /** With fault injection: calls to a node in {@code blocks} fail UNAVAILABLE at once. */
    PeerLinkPool(LinkSettings settings, Supplier<ClusterView> cluster, PeerBlocks blocks) {
        this.settings = settings;
        this.cluster = cluster;
        this.blocks = blocks;
        this.limits = new ProtocolLimits(1, 0, settings.maxFrameBytes);
        this.group = new NioEventLoopGroup(settings.threads, new DefaultThreadFactory(THREAD_NAME, true));
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMs)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20));
        this.sweeper = group.scheduleAtFixedRate(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
        LOG.info("peer links ready ({})", settings);
    }

    // ---- PeerLinks ----

    @Override
    public CompletionStage<byte[]> call(int nodeId, byte[] payload, Duration timeout) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        try {
            long timeoutMs = timeoutMs(timeout);
            checkPayload(payload);
            if (closed) {
                throw unavailable("the peer links of this node are closed (shutting down)");
            }
            if (blocks.isBlocked(nodeId)) {
                throw unavailable("peer traffic to node " + nodeId + " is blocked on this node (links:block)");
            }
            NodeInfo node = resolve(nodeId);
            Link link = links.computeIfAbsent(nodeId, Link::new);
            link.calls.increment();
            scheduleTimeout(link, result, timeoutMs);
            link.call(node, payload, result);
            result.whenComplete((r, t) -> {
                if (t != null) {
                    link.errors.increment();
                }
            });
        } catch (EarthwoException e) {
            result.completeExceptionally(e);
        } catch (RuntimeException e) {
            result.completeExceptionally(new EarthwoException(ErrorCode.INTERNAL, "peer call to node " + nodeId + " failed: " + e, e));
        }
        return result;
    }

    private long timeoutMs(Duration timeout) {
        if (timeout == null) {
            return settings.defaultTimeoutMs;
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "peer call timeout must be positive, not " + timeout);
        }
        try {
            return Math.max(1, timeout.toMillis());
        } catch (ArithmeticException huge) {
            return Long.MAX_VALUE / 2;
        }
    }

    private void checkPayload(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "a peer message needs at least its type byte");
        }
        if (payload.length > settings.maxPayloadBytes()) {
            throw new EarthwoException(ErrorCode.TOO_LARGE, "peer message of " + payload.length
                    + " bytes does not fit in a " + settings.maxFrameBytes + "-byte frame");
        }
    }

    private NodeInfo resolve(int nodeId) {
        ClusterView view = cluster.get();
        if (view == null) {
            throw unavailable("no cluster view on this node: cannot find node " + nodeId);
        }
        SegmentMap map = view.currentMap();
        NodeInfo node = map == null ? null : map.nodes().get(nodeId);
        if (node == null) {
            throw unavailable("node " + nodeId + " is not in the cluster map" + (map == null ? "" : " (epoch " + map.epoch() + ")"));
        }
        return node;
    }

    private void scheduleTimeout(Link link, CompletableFuture<byte[]> result, long timeoutMs) {
        ScheduledFuture<?> t;
        try {
            t = group.next().schedule(() -> {
                if (result.isDone()) {
                    return;
                }
                // Counted before completing, so whoever sees the failure also sees the count.
                link.timeouts.increment();
                if (result.completeExceptionally(unavailable("node " + link.nodeId + " did not answer within " + timeoutMs + " ms"))) {
                    link.lastError = "timeout after " + timeoutMs + " ms";
                } else {
                    link.timeouts.decrement();
                }
            }, timeoutMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw unavailable("the peer links of this node are closed (shutting down)");
        }
        result.whenComplete((r, e) -> t.cancel(false));
    }

    // ---- StatusSource ----

    @Override
    public String name() {
        return STATUS_NAME;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<Integer, Link> sorted = new TreeMap<>(links);
        m.put("peers", sorted.size());
        m.put("connected", sorted.values().stream().filter(Link::isConnected).count());
        m.put("blocked", blocks.snapshot());
        for (Link l : sorted.values()) {
            String p = "node." + l.nodeId + ".";
            m.put(p + "address", l.address());
            m.put(p + "connected", l.isConnected());
            m.put(p + "inflight", l.inFlight());
            m.put(p + "calls", l.calls.sum());
            m.put(p + "errors", l.errors.sum());
            m.put(p + "timeouts", l.timeouts.sum());
            m.put(p + "failures", l.failures.sum());
            m.put(p + "last.error", l.lastError);
        }
        return m;
    }

    // ---- lifecycle ----

    /** Closes every connection, fails every pending call with UNAVAILABLE and stops the threads (bounded). */
    @Override
    public void close() {
        closed = true;
        sweeper.cancel(false);
        EarthwoException gone = unavailable("the peer links of this node are closed (shutting down)");
        List<Link> all = new ArrayList<>(links.values());
        for (Link l : all) {
            l.close(gone);
        }
        long timeout = settings.shutdownTimeoutMs;
        Future<?> done = group.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS);
        if (!done.awaitUninterruptibly(timeout + 1000)) {
            LOG.warn("peer link threads did not stop within {} ms", timeout);
        }
        // Anything that raced with the shutdown (a write task that never ran) fails now.
        for (Link l : all) {
            l.close(gone);
        }
        links.clear();
        LOG.info("peer links closed");
    }

    /** Drops idle links to nodes that left the map. */
    private void sweep() {
        ClusterView view = cluster.get();
        SegmentMap map = view == null ? null : view.currentMap();
        if (map == null) {
            return;
        }
        for (Link l : links.values()) {
            if (!map.nodes().containsKey(l.nodeId) && l.inFlight() == 0) {
                links.remove(l.nodeId, l);
                l.close(unavailable("node " + l.nodeId + " left the cluster map"));
            }
        }
    }

    // ---- helpers ----

    static EarthwoException unavailable(String message) {
        return new EarthwoException(ErrorCode.UNAVAILABLE, message);
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** All there is to know about the link to one peer node; its connection is replaced on failure. */
    private final class Link {
        final int nodeId;
        final LongAdder calls = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        final LongAdder failures = new LongAdder();
        volatile String lastError = "";

        // guarded by this
        private NodeInfo target;
        private Connection connection;
        private long failedUntil;
        private EarthwoException lastFailure;
        /** True after a failure was logged at WARN; further ones go to DEBUG until a connect succeeds. */
        private boolean downLogged;

        Link(int nodeId) {
            this.nodeId = nodeId;
        }

        void call(NodeInfo node, byte[] payload, CompletableFuture<byte[]> result) {
            connection(node).whenComplete((conn, err) -> {
                if (err != null) {
                    result.completeExceptionally(unwrap(err));
                } else {
                    conn.send(payload, result);
                }
            });
        }

        /** The usable connection to {@code node}, one being opened, or a remembered failure. */
        private synchronized CompletableFuture<Connection> connection(NodeInfo node) {
            if (closed) {
                return CompletableFuture.failedFuture(unavailable("the peer links of this node are closed (shutting down)"));
            }
            Connection c = connection;
            if (c != null && !sameAddress(node)) {
                LOG.info("node {} moved from {} to {}: reconnecting", nodeId, target.address(), node.address());
                connection = null;
                lastFailure = null;
                c.close(unavailable("node " + nodeId + " moved to " + node.address()));
                c = null;
            }
            if (c != null) {
                CompletableFuture<Connection> ready = c.ready;
                if (!ready.isDone()) {
                    return ready;
                }
                if (!ready.isCompletedExceptionally()) {
                    if (c.channel.isActive()) {
                        return ready;
                    }
                } else if (lastFailure != null && System.nanoTime() - failedUntil < 0) {
                    EarthwoException f = lastFailure;
                    long left = TimeUnit.NANOSECONDS.toMillis(failedUntil - System.nanoTime());
                    return CompletableFuture.failedFuture(new EarthwoException(
                            f.code() == ErrorCode.AUTH ? ErrorCode.AUTH : ErrorCode.UNAVAILABLE,
                            "node " + nodeId + " at " + target.address() + " failed recently (" + f.detail()
                                    + "); next attempt in " + Math.max(1, left) + " ms"));
                }
            }
            target = node;
            Connection fresh = new Connection(this, node);
            connection = fresh;
            fresh.ready.whenComplete((ok, err) -> {
                if (err != null) {
                    connectFailed(fresh, unwrap(err));
                } else {
                    connected(fresh);
                }
            });
            fresh.open();
            return fresh.ready;
        }

        private synchronized void connectFailed(Connection c, Throwable err) {
            EarthwoException e = err instanceof EarthwoException ee ? ee
                    : unavailable("cannot connect to node " + nodeId + " at " + c.node.address() + ": " + err);
            failures.increment();
            lastError = e.detail();
            if (connection == c) {
                lastFailure = e;
                failedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.failureMemoryMs);
            }
            if (closed) {
                return;
            }
            if (!downLogged) {
                downLogged = true;
                LOG.warn("peer link to node {} at {}: {} (further failures are logged at DEBUG until it connects)",
                        nodeId, c.node.address(), lastError);
            } else {
                LOG.debug("peer link to node {} at {}: {}", nodeId, c.node.address(), lastError);
            }
        }

        private synchronized void connected(Connection c) {
            if (downLogged) {
                downLogged = false;
                LOG.info("peer link to node {} at {} is connected again", nodeId, c.node.address());
            }
        }

        private boolean sameAddress(NodeInfo node) {
            return target != null && target.host().equals(node.host()) && target.port() == node.port();
        }

        synchronized String address() {
            return target == null ? "" : target.address();
        }

        synchronized boolean isConnected() {
            Connection c = connection;
            return c != null && c.ready.isDone() && !c.ready.isCompletedExceptionally() && c.channel.isActive();
        }

        synchronized int inFlight() {
            Connection c = connection;
            return c == null ? 0 : c.pending.size();
        }

        void close(EarthwoException why) {
            Connection c;
            synchronized (this) {
                c = connection;
            }
            if (c != null) {
                c.close(why);
            }
        }
    }

    /**
     * One TCP connection to a peer. {@link #ready} completes once it is connected (and
     * authenticated with the cluster secret for the peer role). Request ids and flushing are confined to the
     * channel's event loop; {@link #pending} is also read by other threads (status, close).
     */
    private final class Connection {
        final Link link;
        final NodeInfo node;
        final CompletableFuture<Connection> ready = new CompletableFuture<>();
        final Map<Integer, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
        volatile Channel channel;
        private int lastId;
        private boolean flushScheduled;
        private volatile String closeReason;

        Connection(Link link, NodeInfo node) {
            this.link = link;
            this.node = node;
        }

        void open() {
            ChannelFuture cf;
            try {
                cf = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (settings.tls != null) {
                            ch.pipeline().addLast("tls", settings.tls.clientHandler(ch.alloc(), node.host(), node.port()));
                        }
                        ch.pipeline().addLast("frames", FrameDecoder.rawBodies(limits))
                                .addLast("answers", new Answers());
                    }
                }).connect(node.host(), node.port());
            } catch (RuntimeException e) {
                ready.completeExceptionally(unavailable("cannot connect to node " + link.nodeId + " at " + node.address() + ": " + e));
                return;
            }
            channel = cf.channel();
            cf.channel().closeFuture().addListener(f -> onClosed());
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    ready.completeExceptionally(unavailable("cannot connect to node " + link.nodeId + " at "
                            + node.address() + ": " + describe(f.cause())));
                    cf.channel().close();
                } else if (settings.tls != null) {
                    afterHandshake(cf.channel());
                } else {
                    authenticate(cf.channel());
                }
            });
        }

        /** Authenticates once TLS is set up; a failed handshake (wrong authority, wrong name) fails the link. */
        private void afterHandshake(Channel ch) {
            io.netty.handler.ssl.SslHandler tls = ch.pipeline().get(io.netty.handler.ssl.SslHandler.class);
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    authenticate(ch);
                } else {
                    ready.completeExceptionally(unavailable("TLS with node " + link.nodeId + " at " + node.address()
                            + " failed: " + describe(h.cause())));
                    ch.close();
                }
            });
        }

        private void authenticate(Channel ch) {
            ScheduledFuture<?> t = ch.eventLoop().schedule(() -> {
                if (ready.completeExceptionally(unavailable("node " + link.nodeId + " at " + node.address()
                        + " did not answer AUTH within " + settings.connectTimeoutMs + " ms"))) {
                    ch.close();
                }
            }, settings.connectTimeoutMs, TimeUnit.MILLISECONDS);
            ready.whenComplete((c, e) -> t.cancel(false));
            ch.writeAndFlush(Unpooled.wrappedBuffer(Request.auth(AUTH_ID, Frames.ROLE_PEER, settings.clusterSecret).encode()))
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            ready.completeExceptionally(unavailable("cannot authenticate with node " + link.nodeId
                                    + ": " + describe(f.cause())));
                            ch.close();
                        }
                    });
        }

        void send(byte[] payload, CompletableFuture<byte[]> result) {
            if (result.isDone()) {
                return;
            }
            EventLoop loop = channel.eventLoop();
            if (loop.inEventLoop()) {
                write(payload, result);
            } else {
                try {
                    loop.execute(() -> write(payload, result));
                } catch (RejectedExecutionException e) {
                    result.completeExceptionally(unavailable("the peer links of this node are closed (shutting down)"));
                }
            }
        }

        /** On the event loop. */
        private void write(byte[] payload, CompletableFuture<byte[]> result) {
            if (result.isDone()) {
                return;
            }
            if (!channel.isActive()) {
                result.completeExceptionally(closedError());
                return;
            }
            if (pending.size() >= settings.maxInFlight) {
                result.completeExceptionally(new EarthwoException(ErrorCode.BUSY, settings.maxInFlight
                        + " calls already wait for node " + link.nodeId + "; retry later"));
                return;
            }
            int id = nextId();
            pending.put(id, result);
            result.whenComplete((r, t) -> pending.remove(id, result));
            channel.write(Unpooled.wrappedBuffer(Request.peer(id, payload).encode())).addListener(f -> {
                if (!f.isSuccess()) {
                    result.completeExceptionally(unavailable("cannot send to node " + link.nodeId + ": " + describe(f.cause())));
                }
            });
            if (!flushScheduled) {
                flushScheduled = true;
                channel.eventLoop().execute(() -> {
                    flushScheduled = false;
                    channel.flush();
                });
            }
        }

        private int nextId() {
            do {
                lastId = lastId == Integer.MAX_VALUE ? 1 : lastId + 1;
            } while (pending.containsKey(lastId));
            return lastId;
        }

        /** On the event loop: one response frame's body. */
        private void onFrame(byte[] body) {
            int id = ByteBuffer.wrap(body, 1, 4).getInt();
            if (id == AUTH_ID && !ready.isDone()) {
                onAuthAnswer(body);
                return;
            }
            if (id == -1) {
                // An error about the connection itself (e.g. BUSY: too many connections); a close follows.
                String why = decodeError(body).detail();
                closeReason = why;
                link.lastError = why;
                ready.completeExceptionally(decodeError(body));
                return;
            }
            CompletableFuture<byte[]> f = pending.remove(id);
            if (f == null) {
                return; // the call timed out meanwhile
            }
            try {
                Response r = Response.decode(ByteBuffer.wrap(body), Opcode.PEER);
                if (r.isError()) {
                    f.completeExceptionally(r.toException());
                } else {
                    f.complete(r.peerPayload());
                }
            } catch (ProtocolException e) {
                f.completeExceptionally(new EarthwoException(ErrorCode.INTERNAL, "node " + link.nodeId
                        + " sent a malformed answer: " + e.getMessage(), e));
            }
        }

        private void onAuthAnswer(byte[] body) {
            try {
                Response r = Response.decode(ByteBuffer.wrap(body), Opcode.AUTH);
                if (r.isError()) {
                    EarthwoException e = r.toException();
                    ready.completeExceptionally(new EarthwoException(e.code(), "node " + link.nodeId + " at "
                            + node.address() + " refused this node's secret: " + e.detail()));
                    channel.close();
                } else {
                    ready.complete(this);
                }
            } catch (ProtocolException e) {
                ready.completeExceptionally(new EarthwoException(ErrorCode.INTERNAL, "node " + link.nodeId
                        + " sent a malformed AUTH answer: " + e.getMessage(), e));
                channel.close();
            }
        }

        private EarthwoException decodeError(byte[] body) {
            try {
                Response r = Response.decode(ByteBuffer.wrap(body), Opcode.PING);
                if (r.isError()) {
                    EarthwoException e = r.toException();
                    return new EarthwoException(e.code(), "node " + link.nodeId + ": " + e.detail());
                }
            } catch (ProtocolException ignored) {
                // fall through
            }
            return unavailable("node " + link.nodeId + " closed the connection");
        }

        private void onClosed() {
            EarthwoException e = closedError();
            ready.completeExceptionally(e);
            if (!pending.isEmpty()) {
                link.failures.increment();
                link.lastError = e.detail();
                if (!closed) {
                    LOG.warn("peer link to node {} at {} closed with {} calls in flight", link.nodeId, node.address(), pending.size());
                }
            }
            failAll(e);
        }

        private EarthwoException closedError() {
            String why = closeReason;
            return unavailable("connection to node " + link.nodeId + " at " + node.address() + " closed"
                    + (why == null ? "" : ": " + why));
        }

        private void failAll(EarthwoException e) {
            for (Integer id : new ArrayList<>(pending.keySet())) {
                CompletableFuture<byte[]> f = pending.remove(id);
                if (f != null) {
                    f.completeExceptionally(e);
                }
            }
        }

        void close(EarthwoException why) {
            closeReason = why.detail();
            ready.completeExceptionally(why);
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
            failAll(why);
        }

        /** Reads answer frames; a framing error (oversize frame) ends the connection. */
        private final class Answers extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof byte[] body) {
                    onFrame(body);
                } else if (msg instanceof FrameError err) {
                    closeReason = "bad frame from the node: " + err.error.getMessage();
                    link.lastError = closeReason;
                    LOG.warn("peer link to node {} at {}: {}; closing it", link.nodeId, node.address(), closeReason);
                    ctx.close();
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                closeReason = describe(cause);
                if (!(cause instanceof IOException)) {
                    LOG.warn("peer link to node {} at {} failed; closing it", link.nodeId, node.address(), cause);
                }
                ctx.close();
            }
        }
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown failure";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

}

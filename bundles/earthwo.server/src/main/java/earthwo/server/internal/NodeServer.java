package earthwo.server.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The binary protocol listener of a node, free of OSGi: binds, writes the endpoint file, serves,
 * and on {@link #close()} closes every channel and stops every thread it started (bounded).
 *
 * <p>Threads, all named {@value #THREAD_PREFIX}…: one acceptor ("-boss"), {@code ioThreads}
 * Netty I/O threads ("-io") that decode, dispatch and write, and the blocking pool ("-blocking")
 * for requests that may wait, and the peer pool ("-peer") for PEER messages from other nodes.
 */
final class NodeServer implements AutoCloseable {

    static final String THREAD_PREFIX = "earthwo-server";

    private static final Logger LOG = LoggerFactory.getLogger(NodeServer.class);

    private final ServerSettings settings;
    private final ServerStats stats = new ServerStats();
    private final EndpointFile endpointFile;
    private boolean announced;
    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final ThreadPoolExecutor blocking;
    private final ThreadPoolExecutor peer;
    private final ChannelGroup channels;
    private Channel serverChannel;
    private InetSocketAddress address;

    private NodeServer(ServerSettings settings) {
        this.settings = settings;
        this.endpointFile = new EndpointFile(settings.dataDir);
        this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory(THREAD_PREFIX + "-boss", true));
        this.io = new NioEventLoopGroup(settings.ioThreads, new DefaultThreadFactory(THREAD_PREFIX + "-io", true));
        this.blocking = new ThreadPoolExecutor(settings.blockingThreads, settings.blockingThreads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.blockingQueue), new DefaultThreadFactory(THREAD_PREFIX + "-blocking", true));
        this.blocking.allowCoreThreadTimeOut(true);
        this.peer = new ThreadPoolExecutor(settings.peerThreads, settings.peerThreads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.peerQueue), new DefaultThreadFactory(THREAD_PREFIX + "-peer", true));
        this.peer.allowCoreThreadTimeOut(true);
        this.channels = new DefaultChannelGroup(THREAD_PREFIX, boss.next());
    }

    /** Binds and starts serving; on failure everything started so far is stopped again. */
    static NodeServer start(ServerSettings settings, NodeServices services) throws IOException {
        NodeServer server = new NodeServer(settings);
        try {
            server.bind(services);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void bind(NodeServices services) throws IOException {
        Secrets secrets = Secrets.load(settings);
        RequestDispatcher dispatcher = new RequestDispatcher(services, secrets, stats, blocking, peer, settings);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, settings.backlog)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .childHandler(new ConnectionInitializer(settings, dispatcher, stats, secrets.dataSecretRequired(), channels));
        io.netty.channel.ChannelFuture bound = b.bind(settings.host, settings.port).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IOException("cannot listen on " + settings.host + ":" + settings.port + ": " + bound.cause(), bound.cause());
        }
        serverChannel = bound.channel();
        channels.add(serverChannel);
        address = (InetSocketAddress) serverChannel.localAddress();
        String endpoint = EndpointFile.format(address);
        stats.endpoint = endpoint;
        LOG.info("listening on {} ({})", endpoint, settings);
        if (!address.getAddress().isLoopbackAddress() && !secrets.dataSecretRequired()) {
            // As Redis's protected mode says: reachable from other machines with no secret, any
            // client that can connect reads and writes every key.
            LOG.warn("listening on {}, reachable beyond this machine, with no data secret: every client that can connect"
                    + " may read and write every key. Set earthwo.secret (and the earthwo.tls.* settings, so that it does"
                    + " not travel in clear text), or bind 127.0.0.1 (earthwo.host)", endpoint);
        }
    }

    /**
     * Writes the endpoint file, once: the sign for {@code bin/earthwo start} and local tools that
     * the node serves. Called when the node's Kv service is there, not at bind: a node whose store
     * or cluster failed to start listens but serves nothing, and must not look started.
     */
    synchronized void announceEndpoint() throws IOException {
        if (announced || serverChannel == null) {
            return;
        }
        endpointFile.write(stats.endpoint);
        announced = true;
        LOG.info("serving on {}; endpoint written to {}", stats.endpoint, endpointFile.path());
    }

    InetSocketAddress address() {
        return address;
    }

    ServerStats stats() {
        return stats;
    }

    EndpointFile endpointFile() {
        return endpointFile;
    }

    /**
     * Deletes the endpoint file, closes the listener and every connection, and stops the I/O
     * threads and the blocking pool, each step bounded by the shutdown timeout.
     */
    @Override
    public void close() {
        long timeout = settings.shutdownTimeoutMs;
        try {
            if (address != null) {
                endpointFile.delete();
            }
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", endpointFile.path(), e.toString());
        }
        if (!channels.close().awaitUninterruptibly(timeout)) {
            LOG.warn("connections did not close within {} ms", timeout);
        }
        blocking.shutdownNow();
        peer.shutdownNow();
        Future<?> ioDone = io.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS);
        Future<?> bossDone = boss.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS);
        boolean stopped = ioDone.awaitUninterruptibly(timeout + 1000) & bossDone.awaitUninterruptibly(timeout + 1000);
        try {
            stopped &= blocking.awaitTermination(timeout, TimeUnit.MILLISECONDS);
            stopped &= peer.awaitTermination(timeout, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stopped) {
            LOG.warn("server threads did not stop within {} ms", timeout);
        }
        if (address != null) {
            LOG.info("stopped listening on {}", stats.endpoint);
        }
    }
}

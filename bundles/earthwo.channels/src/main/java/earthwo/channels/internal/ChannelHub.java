package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelInfo;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.ChannelNames;
import earthwo.api.channels.PublishResult;
import earthwo.api.channels.PublisherIds;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.SegmentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Channels on one node, without OSGi (the component is a thin shell over it): publishing,
 * receiving what other nodes forward, subscriptions, the interest exchange, the windows, and the
 * threads behind them, all stopped by {@link #close()}.
 *
 * <p>Order: a publish takes the channel's lock while it numbers the message, keeps it, hands it
 * to local subscriptions and queues it for the interested nodes, so two publishes on a channel
 * enter every buffer and every {@link PeerQueue} in sequence; each peer queue sends in order, and
 * a receiving node hands a batch on in order.
 */
final class ChannelHub implements LocalSubscription.Owner, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelHub.class);
    private static final byte[] EMPTY = new byte[0];
    /** How long close waits for delivery turns and batches in flight. */
    static final long STOP_WAIT_MS = 2_000;

    private final int nodeId;
    private final String publisherId;
    private final ChannelsSettings settings;
    private final ClusterView cluster;
    private final Supplier<PeerLinks> links;
    private final LongSupplier clock;
    private final Duration peerTimeout;
    private final RetentionWindow window;
    private final SubscriptionRegistry registry = new SubscriptionRegistry();
    private final PeerInterest peers;
    private final InterestExchange exchange;
    private final Replay replay;
    private final DeliveryWorkers workers;
    private final ExecutorService peerSender;
    private final OwnThreads peerThreads;
    private final ScheduledExecutorService timer;
    private final OwnThreads timerThreads;
    private final Map<Integer, PeerQueue> queues = new ConcurrentHashMap<>();
    private final Map<String, ChannelCounters> counters = new ConcurrentHashMap<>();
    private final AtomicLong subscriptionIds = new AtomicLong();
    private final AtomicBoolean announcePending = new AtomicBoolean();
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder cutOff = new LongAdder();
    private final LongAdder interestSent = new LongAdder();
    private final AutoCloseable mapListener;
    private volatile Set<Integer> mapNodes = Set.of();
    private volatile boolean closed;

    ChannelHub(ClusterView cluster, Supplier<PeerLinks> links, ChannelsSettings settings, LongSupplier clock,
               RandomGenerator random) {
        this.nodeId = cluster.localNodeId();
        this.publisherId = PublisherIds.draw(nodeId, random);
        this.settings = settings;
        this.cluster = cluster;
        this.links = links;
        this.clock = clock;
        this.peerTimeout = Duration.ofMillis(settings.peerTimeoutMs);
        this.window = new RetentionWindow(settings.retainCount, settings.retainMs, clock);
        this.peers = new PeerInterest(clock);
        this.exchange = new InterestExchange(nodeId, publisherId, cluster, links, registry, peers, peerTimeout,
                interestSent);
        this.replay = new Replay(nodeId, window, cluster, links, peerTimeout);
        this.workers = new DeliveryWorkers(settings.deliveryThreads, nodeId);
        this.peerThreads = new OwnThreads("peer", nodeId);
        this.peerSender = Executors.newSingleThreadExecutor(peerThreads);
        this.timerThreads = new OwnThreads("timer", nodeId);
        this.timer = Executors.newSingleThreadScheduledExecutor(timerThreads);
        long refresh = settings.interestRefreshMs;
        timer.scheduleWithFixedDelay(this::refresh, refresh, refresh, TimeUnit.MILLISECONDS);
        long sweep = Math.max(100, Math.min(settings.retainMs, 10_000) / 2);
        timer.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        this.mapListener = cluster.onMapChange(this::mapChanged);
        LOG.info("node {} channels started as publisher {} ({})", nodeId, publisherId, settings);
    }

    String publisherId() {
        return publisherId;
    }

    // ---- publish

    CompletionStage<PublishResult> publish(String channel, byte[] message) {
        ChannelNames.checkName(channel);
        if (message == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "message must not be null");
        }
        if (message.length > settings.maxMessageBytes) {
            throw new EarthwoException(ErrorCode.TOO_LARGE, "message of " + message.length + " bytes for channel "
                    + channel + " exceeds the limit of " + settings.maxMessageBytes);
        }
        checkOpen();
        byte[] payload = message.clone(); // the caller may reuse its array
        ChannelCounters c = counters(channel);
        List<Integer> destinations;
        PublishTracker tracker;
        synchronized (c) {
            long seq = ++c.lastSequence;
            ChannelMessage m = new ChannelMessage(channel, payload, publisherId, seq, clock.getAsLong());
            window.add(m);
            // Read after the window took the message: a node whose interest arrives later gathers
            // its replay later too, so it finds the message either in the window or in its queue.
            destinations = peers.nodesWanting(channel);
            tracker = new PublishTracker(publisherId, seq, destinations.size());
            deliverLocally(m);
            for (int node : destinations) {
                queue(node).offer(new PeerQueue.Outgoing(m, tracker));
            }
        }
        c.published.increment();
        c.forwarded.add(destinations.size());
        published.increment();
        return tracker.result();
    }

    private void deliverLocally(ChannelMessage m) {
        for (LocalSubscription s : registry.matching(m.channel())) {
            s.offer(m);
        }
    }

    private PeerQueue queue(int node) {
        return queues.computeIfAbsent(node, n -> new PeerQueue(n, nodeId, settings.peerQueue, this::send, peerSender,
                forwarded, dropped));
    }

    private CompletionStage<byte[]> send(int node, byte[] payload) {
        PeerLinks l = links.get();
        if (l == null) {
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE,
                    "no node-to-node links"));
        }
        return l.call(node, payload, peerTimeout);
    }

    // ---- from other nodes

    CompletionStage<byte[]> handle(byte[] payload) {
        try {
            if (closed) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "channels on node " + nodeId + " are stopping");
            }
            if (payload.length > 0 && (payload[0] & 0xff) == PeerMessages.MESSAGES) {
                for (ChannelMessage m : PeerMessages.decodeMessages(payload)) {
                    receive(m);
                }
                return CompletableFuture.completedFuture(EMPTY);
            }
            int kind = PeerMessages.kind(payload);
            if (kind == PeerMessages.INTEREST) {
                return CompletableFuture.completedFuture(exchange.receive(PeerMessages.decodeInterest(payload)));
            }
            if (kind == PeerMessages.REPLAY_ASK) {
                PeerMessages.ReplayAsk ask = PeerMessages.decodeAsk(payload);
                RetentionWindow.Slice slice = window.after(ask.wanted(), ask.after(), ask.since(), Replay.PAGE_BYTES);
                return CompletableFuture.completedFuture(PeerMessages.encodeAnswer(
                        new PeerMessages.ReplayAnswer(slice.truncated(), slice.messages(), slice.lastSeen())));
            }
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "unknown channels control message kind " + kind);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void receive(ChannelMessage m) {
        ChannelCounters c = counters(m.channel());
        c.received.increment();
        received.increment();
        window.add(m);
        deliverLocally(m);
    }

    // ---- subscribe

    Subscription subscribe(SubscribeRequest request, ChannelListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        request.check();
        checkOpen();
        int capacity = request.bufferSize() == 0 ? settings.bufferSize : request.bufferSize();
        LocalSubscription s = new LocalSubscription(subscriptionIds.incrementAndGet(), nodeId, request, capacity,
                workers, this, listener);
        registry.add(s);
        LOG.debug("node {}: subscription {} opened: {}", nodeId, s.id(), request);
        // Live messages are held from here on; the replay is gathered only once every node knows of
        // the subscription, so nothing falls between the two (what both hold is dropped once).
        CompletableFuture<Void> known = exchange.announce();
        request.resumePoint().ifPresentOrElse(point -> known
                .thenCompose(v -> replay.gather(s.filter(), point))
                .whenComplete((items, failure) -> {
                    if (failure != null) {
                        LOG.warn("node {}: subscription {} could not gather its replay", nodeId, s.id(), failure);
                        s.replayLoaded(List.of());
                    } else {
                        s.replayLoaded(items);
                    }
                }), () -> known.whenComplete((v, e) -> s.markReady()));
        return s;
    }

    @Override
    public void delivered(String channel) {
        delivered.increment();
        ChannelCounters c = counters.get(channel);
        if (c != null) {
            c.delivered.increment();
        }
    }

    @Override
    public void ended(LocalSubscription s, EarthwoException reason, int lost, String cutOn) {
        registry.remove(s);
        dropped.add(lost);
        if (cutOn != null) {
            cutOff.increment();
            ChannelCounters c = counters(cutOn);
            c.cutOff.increment();
            c.dropped.add(lost);
        }
        if (!closed) {
            announceSoon();
        }
    }

    /** Tells the other nodes of a change from the timer thread, once for a burst of changes. */
    private void announceSoon() {
        if (announcePending.compareAndSet(false, true)) {
            try {
                timer.execute(() -> {
                    announcePending.set(false);
                    exchange.announce();
                });
            } catch (RuntimeException e) {
                announcePending.set(false);
            }
        }
    }

    // ---- housekeeping

    private void mapChanged(SegmentMap map) {
        Set<Integer> nodes = Set.copyOf(map.nodes().keySet());
        if (!nodes.equals(mapNodes)) {
            mapNodes = nodes;
            announceSoon(); // a node that joined learns this node's interest, and answers with its own
        }
    }

    private void refresh() {
        try {
            exchange.announce();
            Set<Integer> live = cluster.currentMap().nodes().keySet();
            for (int gone : peers.forget(live, settings.interestExpireMs)) {
                LOG.info("node {}: node {} is no longer sent channel messages (left the map or was not heard of)",
                        nodeId, gone);
            }
            queues.keySet().removeIf(node -> {
                if (live.contains(node)) {
                    return false;
                }
                queues.get(node).close();
                return true;
            });
        } catch (RuntimeException e) {
            LOG.warn("node {}: channel interest refresh failed", nodeId, e);
        }
    }

    private void sweep() {
        try {
            window.sweep();
        } catch (RuntimeException e) {
            LOG.warn("node {}: channel window sweep failed", nodeId, e);
        }
    }

    private ChannelCounters counters(String channel) {
        return counters.computeIfAbsent(channel, ChannelCounters::new);
    }

    private void checkOpen() {
        if (closed) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "channels on node " + nodeId + " are stopping");
        }
    }

    // ---- figures

    List<ChannelInfo> list() {
        Set<String> names = new TreeSet<>(counters.keySet());
        names.addAll(registry.namesSubscribed());
        List<ChannelInfo> out = new ArrayList<>();
        for (String name : names) {
            ChannelCounters c = counters.getOrDefault(name, new ChannelCounters(name));
            out.add(new ChannelInfo(name, registry.matching(name).size(), c.published.sum(), c.received.sum(),
                    c.forwarded.sum(), c.delivered.sum(), c.dropped.sum(), c.cutOff.sum(), window.retained(name)));
        }
        return out;
    }

    Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("publisher", publisherId);
        m.put("subscriptions", registry.size());
        m.put("channels", counters.size());
        m.put("published", published.sum());
        m.put("received", received.sum());
        m.put("forwarded", forwarded.sum());
        m.put("delivered", delivered.sum());
        m.put("dropped", dropped.sum());
        m.put("cut.off", cutOff.sum());
        m.put("retained", window.retainedTotal());
        m.put("interested.nodes", peers.interestedNodes());
        m.put("interest.sent", interestSent.sum());
        m.put("peer.queued", queues.values().stream().mapToInt(PeerQueue::queued).sum());
        return m;
    }

    /** For tests: the nodes this node would send a message of the channel to. */
    List<Integer> nodesWanting(String channel) {
        return peers.nodesWanting(channel);
    }

    /** For tests and the component: tells every node this node's interest now. */
    CompletableFuture<Void> announce() {
        return exchange.announce();
    }

    /**
     * Stops everything: every subscription ends (UNAVAILABLE) and its listener hears of it, queued
     * messages are dropped, and the timer, peer and delivery threads end.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            mapListener.close();
        } catch (Exception e) {
            LOG.debug("node {}: map listener close failed", nodeId, e);
        }
        timer.shutdownNow();
        EarthwoException stopping = new EarthwoException(ErrorCode.UNAVAILABLE, "channels on node " + nodeId
                + " stopped");
        for (LocalSubscription s : List.copyOf(registry.all())) {
            s.end(stopping);
        }
        queues.values().forEach(PeerQueue::close);
        boolean ended = true;
        try {
            peerSender.shutdown();
            ended &= peerSender.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            ended &= workers.stop(STOP_WAIT_MS);
            ended &= timer.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            peerSender.shutdownNow();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MS);
            ended &= peerThreads.joinAll(deadline) && timerThreads.joinAll(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        if (ended) {
            LOG.info("node {} channels stopped", nodeId);
        } else {
            LOG.warn("node {} channels stopped, but a listener or a call did not end within {} ms", nodeId,
                    STOP_WAIT_MS);
        }
    }
}

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
import java.util.Collection;
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
import java.util.concurrent.locks.LockSupport;
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
 *
 * <p>Stop ({@link #close()}): nothing more is accepted, what was accepted is delivered as far as a
 * bounded wait allows, then the subscriptions end. A bundle update so loses no message a publish
 * or another node handed over before it.
 */
final class ChannelHub implements LocalSubscription.Owner, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelHub.class);
    private static final byte[] EMPTY = new byte[0];
    /** The most subscriptions of one message delivered on the publishing (or receiving) thread. */
    static final int INLINE_FAN_OUT = 8;

    /** How long close waits for delivery turns and batches in flight. */
    static final long STOP_WAIT_MS = 2_000;
    /**
     * A channel with no traffic for this long at least (and for twice the window's age) is
     * forgotten once nothing holds it: a channel used now and then keeps its figures and its
     * publisher id.
     */
    static final long FORGET_AFTER_MIN_MS = 60_000;
    private static final long DRAIN_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** At most one line a minute about evictions by the node's window bound. */
    private static final long EVICTION_LOG_MS = 60_000;

    private final int nodeId;
    /** Names this start of the hub to the other nodes (interest snapshots); its first publisher id. */
    private final String startId;
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
    private final ChannelTable channels;
    private final Intake intake = new Intake();
    private final long forgetAfterMs;
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
    /** Used by the timer thread only. */
    private long evictionsLogged;
    private long evictionsLoggedAt = -EVICTION_LOG_MS;

    ChannelHub(ClusterView cluster, Supplier<PeerLinks> links, ChannelsSettings settings, LongSupplier clock,
               RandomGenerator random) {
        this.nodeId = cluster.localNodeId();
        this.startId = PublisherIds.draw(nodeId, random);
        this.channels = new ChannelTable(nodeId, startId, random, clock);
        this.forgetAfterMs = Math.max(FORGET_AFTER_MIN_MS, 2 * settings.retainMs);
        this.settings = settings;
        this.cluster = cluster;
        this.links = links;
        this.clock = clock;
        this.peerTimeout = Duration.ofMillis(settings.peerTimeoutMs);
        this.window = new RetentionWindow(settings.retainCount, settings.retainMs, settings.windowMaxBytes, clock);
        this.peers = new PeerInterest(clock);
        this.exchange = new InterestExchange(nodeId, startId, cluster, links, registry, peers, peerTimeout,
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
        LOG.info("node {} channels started as publisher {} ({})", nodeId, startId, settings);
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
        byte[] payload = message.clone(); // the caller may reuse its array
        if (!intake.enter()) {
            throw stopping();
        }
        try {
            PublishTracker tracker;
            do {
                tracker = publish(channels.get(channel), payload);
            } while (tracker == null);
            published.increment();
            return tracker.result();
        } finally {
            intake.exit();
        }
    }

    /** Numbers, keeps and hands on the message; null if the table forgot the channel meanwhile. */
    private PublishTracker publish(ChannelCounters c, byte[] payload) {
        synchronized (c) {
            if (c.forgotten) {
                return null;
            }
            long now = clock.getAsLong();
            long seq = ++c.lastSequence;
            c.lastTraffic = now;
            ChannelMessage m = new ChannelMessage(c.name, payload, c.publisherId, seq, now);
            window.add(m);
            // Read after the window took the message: a node whose interest arrives later gathers
            // its replay later too, so it finds the message either in the window or in its queue.
            List<Integer> destinations = peers.nodesWanting(c.name);
            PublishTracker tracker = new PublishTracker(c.publisherId, seq, destinations.size());
            deliverLocally(m);
            for (int node : destinations) {
                queue(node).offer(new PeerQueue.Outgoing(m, tracker));
            }
            c.published.increment();
            c.forwarded.add(destinations.size());
            return tracker;
        }
    }

    /**
     * Hands a message to this node's matching subscriptions. Listeners that never block get it on
     * this thread when the message has at most {@value #INLINE_FAN_OUT} of them, sparing the hop to
     * a delivery thread; a larger fan-out goes to the delivery threads, so that a publish's answer
     * does not wait for many subscribers' frames.
     */
    private void deliverLocally(ChannelMessage m) {
        Collection<LocalSubscription> subscriptions = registry.matching(m.channel());
        boolean inlineAllowed = subscriptions.size() <= INLINE_FAN_OUT;
        for (LocalSubscription s : subscriptions) {
            s.offer(m, inlineAllowed);
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
            if (payload.length > 0 && (payload[0] & 0xff) == PeerMessages.MESSAGES) {
                List<ChannelMessage> batch = PeerMessages.decodeMessages(payload);
                if (!intake.enter()) {
                    throw stopping();
                }
                try {
                    for (ChannelMessage m : batch) {
                        receive(m);
                    }
                } finally {
                    intake.exit();
                }
                return CompletableFuture.completedFuture(EMPTY);
            }
            checkOpen();
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
        ChannelCounters c = channels.get(m.channel());
        c.lastTraffic = clock.getAsLong();
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
        int capacity = request.bufferSize() == 0 ? settings.bufferSize : request.bufferSize();
        LocalSubscription s = new LocalSubscription(subscriptionIds.incrementAndGet(), nodeId, request, capacity,
                workers, this, listener);
        // Through the intake, so a stop that ends every subscription it finds misses none.
        if (!intake.enter()) {
            throw stopping();
        }
        try {
            registry.add(s);
        } finally {
            intake.exit();
        }
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
        ChannelCounters c = channels.find(channel);
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
            ChannelCounters c = channels.get(cutOn);
            c.cutOff.increment();
            c.dropped.add(lost);
        }
        if (!intake.isClosed()) {
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
            long now = clock.getAsLong();
            logEvictions(now);
            int n = channels.forget(c -> idle(c, now));
            if (n > 0) {
                LOG.debug("node {}: forgot {} idle channels; {} known, publishing as {}", nodeId, n, channels.size(),
                        channels.publisherId());
            }
        } catch (RuntimeException e) {
            LOG.warn("node {}: channel window sweep failed", nodeId, e);
        }
    }

    private void logEvictions(long now) {
        long evicted = window.evicted();
        if (evicted > evictionsLogged && now - evictionsLoggedAt >= EVICTION_LOG_MS) {
            LOG.info("node {}: {} more channel messages evicted from the windows, which reached their bound of {}"
                    + " bytes ({}); a subscriber resuming from before them gets a gap", nodeId,
                    evicted - evictionsLogged, settings.windowMaxBytes, ChannelsSettings.WINDOW_MAX_BYTES);
            evictionsLogged = evicted;
            evictionsLoggedAt = now;
        }
    }

    /**
     * No traffic for a while, nothing in the window, and no subscriber anywhere (here, or on a
     * node that told its interest): nobody would miss the channel's figures or its stream, and a
     * later message on it starts a new stream ({@link ChannelTable}).
     */
    private boolean idle(ChannelCounters c, long now) {
        return now - c.lastTraffic > forgetAfterMs
                && window.retained(c.name) == 0
                && registry.matching(c.name).isEmpty()
                && peers.nodesWanting(c.name).isEmpty();
    }

    private void checkOpen() {
        if (intake.isClosed()) {
            throw stopping();
        }
    }

    private EarthwoException stopping() {
        return new EarthwoException(ErrorCode.UNAVAILABLE, "channels on node " + nodeId + " are stopping");
    }

    // ---- figures

    List<ChannelInfo> list() {
        Set<String> names = new TreeSet<>(channels.names());
        names.addAll(registry.namesSubscribed());
        List<ChannelInfo> out = new ArrayList<>();
        for (String name : names) {
            ChannelCounters c = channels.find(name);
            if (c == null) {
                c = new ChannelCounters(name, channels.publisherId(), 0);
            }
            out.add(new ChannelInfo(name, registry.matching(name).size(), c.published.sum(), c.received.sum(),
                    c.forwarded.sum(), c.delivered.sum(), c.dropped.sum(), c.cutOff.sum(), window.retained(name)));
        }
        return out;
    }

    Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("publisher", channels.publisherId());
        m.put("subscriptions", registry.size());
        m.put("channels", channels.size());
        m.put("channels.forgotten", channels.forgottenCount());
        m.put("published", published.sum());
        m.put("received", received.sum());
        m.put("forwarded", forwarded.sum());
        m.put("delivered", delivered.sum());
        m.put("dropped", dropped.sum());
        m.put("cut.off", cutOff.sum());
        m.put("retained", window.retainedTotal());
        m.put("retained.bytes", window.retainedBytes());
        m.put("evicted", window.evicted());
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
     * Stops everything, losing nothing already accepted where it can: first no publish, batch
     * from another node or subscription is taken any more (UNAVAILABLE); then, for at most
     * {@value #STOP_WAIT_MS} ms in all, each subscription delivers what it holds and each peer
     * queue sends what it holds (a paused subscription, or one waiting for its replay, is not
     * waited for; a stuck listener or a silent node holds the stop no longer than that); then every
     * subscription ends (UNAVAILABLE), its listener hearing of it after its last message, what is
     * still queued is dropped (counted), and the timer, peer and delivery threads end.
     */
    @Override
    public void close() {
        if (intake.isClosed()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MS);
        if (!intake.close(deadline)) {
            LOG.warn("node {}: channels stopping: a publish or a batch was still on its way in after {} ms", nodeId,
                    STOP_WAIT_MS);
        }
        try {
            mapListener.close();
        } catch (Exception e) {
            LOG.debug("node {}: map listener close failed", nodeId, e);
        }
        timer.shutdownNow();
        drain(deadline);
        EarthwoException stopped = new EarthwoException(ErrorCode.UNAVAILABLE, "channels on node " + nodeId
                + " stopped");
        for (LocalSubscription s : List.copyOf(registry.all())) {
            s.end(stopped);
        }
        queues.values().forEach(PeerQueue::close);
        boolean ended = true;
        try {
            peerSender.shutdown();
            ended &= peerSender.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            // The last calls (onClosed) get what the drain left of the wait, and a little at least.
            long left = Math.max(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()), STOP_WAIT_MS / 4);
            ended &= workers.stop(left);
            ended &= timer.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            peerSender.shutdownNow();
            long joinDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MS);
            ended &= peerThreads.joinAll(joinDeadline) && timerThreads.joinAll(joinDeadline);
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

    /** Waits, until the deadline, for every subscription and peer queue to hand on what it holds. */
    private void drain(long deadline) {
        List<LocalSubscription> subscriptions = List.copyOf(registry.all());
        List<PeerQueue> peerQueues = List.copyOf(queues.values());
        while (true) {
            long holding = subscriptions.stream().filter(s -> !s.drainedForStop()).count();
            long sending = peerQueues.stream().filter(q -> !q.idle()).count();
            if (holding == 0 && sending == 0) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                LOG.warn("node {}: channels stopping: after {} ms, {} subscriptions still held messages (slow"
                        + " listeners) and {} nodes had not taken theirs; what is left is dropped", nodeId,
                        STOP_WAIT_MS, holding, sending);
                return;
            }
            LockSupport.parkNanos(DRAIN_STEP_NANOS);
        }
    }
}

package earthwo.client.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.channels.ResumePoint;
import earthwo.api.channels.StreamKey;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.client.ChannelSubscription;
import earthwo.api.protocol.PushFrames;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ChannelSubscription}: one connection of its own to one node at a time, opened and, after
 * a failure, opened again elsewhere by its own thread.
 *
 * <p>The connection's reader thread puts what the node pushes into a bounded queue, after dropping
 * what this side has already received (a resumed subscription may overlap). When the queue is
 * full the reader waits, so a subscriber that does not take its messages stops reading its socket
 * and the node's own bound on the subscription takes over (SLOW_CONSUMER).
 *
 * <p>When the connection dies or the node ends the subscription with UNAVAILABLE (its channels
 * stopped), the subscription is opened again on the next node of the client's route, resuming from
 * what was received ({@link #position()}), with a back-off of 50 ms doubling to 1 s; after
 * {@code failoverMillis} without a node that takes it, it fails with UNAVAILABLE. Any other error
 * (SLOW_CONSUMER, BAD_REQUEST, TOO_LARGE, AUTH) is final.
 */
final class ClientSubscription implements ChannelSubscription {

    private static final System.Logger LOG = System.getLogger(ClientSubscription.class.getName());
    private static final int DEFAULT_QUEUE = 10_000;
    private static final int KEPT_GAPS = 1_000;
    private static final long FIRST_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 1_000;
    private static final Object CLOSED = new Object();

    /** Opens authenticated connections and names the nodes to try; the client that made the subscription. */
    interface Nodes {
        /** Addresses to try, in order of preference. */
        List<String> candidates();

        /** A new authenticated connection of its own to {@code address}; UNAVAILABLE when it cannot be had. */
        Connection open(String address, java.util.function.Consumer<Connection> onDeath);
    }

    private final Nodes nodes;
    private final java.util.function.Consumer<ClientSubscription> onClose;
    private final SubscribeRequest request;
    private final ChannelListener listener;
    private final long timeoutMillis;
    private final long failoverMillis;
    private final BlockingQueue<Object> items;
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final Map<StreamKey, Long> received = new HashMap<>();
    private final ArrayDeque<Gap> gaps = new ArrayDeque<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Object enqueueLock = new Object();
    private final AtomicLong receivedCount = new AtomicLong();
    private final AtomicInteger failovers = new AtomicInteger();
    private final ClientThread driver;
    private final Thread deliverer;
    private volatile long since = ResumePoint.NO_SINCE;
    private volatile Connection connection;
    private volatile String node;
    private volatile boolean closed;
    private volatile EarthwoException failure;
    private long gapCount;

    ClientSubscription(Nodes nodes, SubscribeRequest request, ChannelListener listener, String tag, long timeoutMillis,
                       long failoverMillis, java.util.function.Consumer<ClientSubscription> onClose) {
        request.check();
        this.onClose = onClose;
        this.nodes = nodes;
        this.request = request;
        this.listener = listener;
        this.timeoutMillis = timeoutMillis;
        this.failoverMillis = failoverMillis;
        this.items = new ArrayBlockingQueue<>(request.bufferSize() > 0 ? request.bufferSize() : DEFAULT_QUEUE);
        this.driver = new ClientThread(tag + "-subscription", this::drive);
        this.deliverer = listener == null ? null : listenerThread(tag + "-subscription-listener");
    }

    /**
     * The listener's thread is not a {@link ClientThread}: it reads no socket, so a listener may
     * call the client's blocking methods (read the key a message names, publish an answer), which
     * the client refuses on its own threads.
     */
    private Thread listenerThread(String name) {
        Thread t = new Thread(this::deliverLoop, ClientThread.PREFIX + name);
        t.setDaemon(true);
        return t;
    }

    void start() {
        driver.start();
        if (deliverer != null) {
            deliverer.start();
        }
    }

    // ---------------------------------------------------------------- connecting and failing over

    private void drive() {
        List<String> tried = new ArrayList<>();
        long failingSince = 0;
        long backoff = FIRST_BACKOFF_MS;
        String avoid = null;
        while (!closed && failure == null) {
            String address = pick(avoid, tried);
            Connection c = null;
            try {
                c = nodes.open(address, dead -> events.add(dead));
                Response answer = c.subscribe(id -> Request.subscribe(id, resumeRequest()), item -> onPush(item))
                        .get(timeoutMillis, TimeUnit.MILLISECONDS);
                if (since == ResumePoint.NO_SINCE) {
                    since = answer.subscribed().nodeTimeMillis();
                }
                connection = c;
                node = address;
                ready.complete(null);
                tried.clear();
                failingSince = 0;
                backoff = FIRST_BACKOFF_MS;
                Object why = waitForTrouble(c);
                if (closed || failure != null) {
                    break; // closed by its owner, or ended for good (SLOW_CONSUMER, ...): no resume
                }
                LOG.log(System.Logger.Level.INFO, "subscription on " + address + " lost (" + why + "); resuming elsewhere");
                failovers.incrementAndGet();
                avoid = address;
            } catch (InterruptedException e) {
                break;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                EarthwoException err = asEarthwo(e, address);
                if (!err.isRetryable() || closed) {
                    finish(err);
                    break;
                }
                tried.add(address);
                long now = System.currentTimeMillis();
                failingSince = failingSince == 0 ? now : failingSince;
                if (now - failingSince >= failoverMillis) {
                    finish(new EarthwoException(ErrorCode.UNAVAILABLE, "no node took the subscription back within "
                            + failoverMillis + " ms; last: " + err.getMessage(), err));
                    break;
                }
                if (tried.size() >= nodes.candidates().size()) {
                    tried.clear();
                    if (!pause(backoff)) {
                        break;
                    }
                    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                }
            } finally {
                connection = null;
                node = null;
                if (c != null) {
                    c.close();
                }
            }
        }
        if (!ready.isDone()) {
            ready.completeExceptionally(failure != null ? failure
                    : new EarthwoException(ErrorCode.UNAVAILABLE, "subscription closed"));
        }
    }

    /** The next address: the route in order, skipping the node just lost and those that failed in this round. */
    private String pick(String avoid, List<String> tried) {
        List<String> all = nodes.candidates();
        for (String a : all) {
            if (!a.equals(avoid) && !tried.contains(a)) {
                return a;
            }
        }
        for (String a : all) {
            if (!tried.contains(a)) {
                return a;
            }
        }
        return all.get(0);
    }

    private synchronized SubscribeRequest resumeRequest() {
        if (since == ResumePoint.NO_SINCE) {
            return request;
        }
        return request.resumingFrom(new ResumePoint(received, since));
    }

    /** Blocks until the connection died, the node ended the subscription for a reason to resume, or close. */
    private Object waitForTrouble(Connection c) throws InterruptedException {
        while (true) {
            Object e = events.take();
            if (e == CLOSED || closed) {
                return "closed";
            }
            if (e == c) {
                return "connection lost";
            }
            if (e instanceof EarthwoException err && err.code() == ErrorCode.UNAVAILABLE) {
                return err.getMessage();
            }
        }
    }

    /** Waits out a back-off; false when the subscription was closed meanwhile. */
    private boolean pause(long millis) {
        try {
            return events.poll(millis, TimeUnit.MILLISECONDS) != CLOSED && !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static EarthwoException asEarthwo(Throwable t, String address) {
        Throwable c = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof EarthwoException e) {
            return e;
        }
        if (c instanceof TimeoutException) {
            return new EarthwoException(ErrorCode.UNAVAILABLE, "no answer to SUBSCRIBE from " + address);
        }
        return new EarthwoException(ErrorCode.INTERNAL, String.valueOf(c), c);
    }

    // ---------------------------------------------------------------- what the node pushes (reader thread)

    private void onPush(Object item) {
        if (item instanceof ChannelMessage m) {
            if (isDuplicate(m)) {
                return;
            }
            receivedCount.incrementAndGet();
            enqueue(m);
        } else if (item instanceof Gap g) {
            noteGap(g);
            enqueue(g);
        } else if (item instanceof PushFrames.Ended end) {
            if (end.code() == null) {
                return;
            }
            EarthwoException why = new EarthwoException(end.code(), end.message());
            if (end.code() == ErrorCode.UNAVAILABLE) {
                events.add(why);
            } else {
                finish(why);
            }
        }
    }

    private synchronized boolean isDuplicate(ChannelMessage m) {
        Long last = received.get(m.stream());
        if (last != null && m.sequence() <= last) {
            return true;
        }
        received.put(m.stream(), m.sequence());
        return false;
    }

    private synchronized void noteGap(Gap g) {
        received.merge(new StreamKey(g.channel(), g.publisherId()), g.lastMissing(), Math::max);
        gapCount++;
        gaps.addLast(g);
        if (gaps.size() > KEPT_GAPS) {
            gaps.removeFirst();
        }
    }

    /** Waits for room: what was received is never dropped while the subscription is open. */
    private void enqueue(Object item) {
        // One reader at a time: after a failover the old connection's reader may still wait here
        // with an earlier message, which must go in before what the new connection brings.
        synchronized (enqueueLock) {
            try {
                while (!closed && !items.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    // the subscriber is behind; the node sees the socket fill up
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void finish(EarthwoException why) {
        if (failure == null && !closed) {
            failure = why;
            LOG.log(System.Logger.Level.WARNING, "subscription " + request + " failed: " + why.getMessage());
        }
        ready.completeExceptionally(why);
        events.add(CLOSED);
        enqueueEnd();
    }

    private void enqueueEnd() {
        // the end marker goes after what was received; a full queue is waited for like a message
        enqueue(CLOSED);
    }

    // ---------------------------------------------------------------- taking messages

    @Override
    public ChannelMessage next(Duration timeout) throws InterruptedException {
        if (listener != null) {
            throw new IllegalStateException("this subscription delivers to its listener");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (closed) {
                throw new IllegalStateException("subscription closed");
            }
            long left = deadline - System.nanoTime();
            Object item = items.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (item == null) {
                return null;
            }
            if (item instanceof ChannelMessage m) {
                return m;
            }
            if (item == CLOSED) {
                items.offer(CLOSED); // every later call fails the same way
                throw failure != null ? failure : new IllegalStateException("subscription closed");
            }
        }
    }

    private void deliverLoop() {
        EarthwoException reason = null;
        try {
            while (true) {
                Object item = items.take();
                if (item == CLOSED) {
                    reason = failure;
                    break;
                }
                try {
                    if (item instanceof ChannelMessage m) {
                        listener.onMessage(m);
                    } else if (item instanceof Gap g) {
                        listener.onGap(g);
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "channel listener failed", e);
                }
            }
        } catch (InterruptedException e) {
            reason = failure;
        }
        try {
            listener.onClosed(reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "channel listener failed in onClosed", e);
        }
    }

    // ---------------------------------------------------------------- state

    @Override
    public CompletableFuture<Void> ready() {
        return ready;
    }

    @Override
    public boolean isOpen() {
        return !closed && failure == null;
    }

    @Override
    public Optional<EarthwoException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public synchronized ResumePoint position() {
        return new ResumePoint(received, since);
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public long received() {
        return receivedCount.get();
    }

    @Override
    public synchronized List<Gap> gaps() {
        return List.copyOf(gaps);
    }

    /** Gaps met, all of them (the list keeps the latest). */
    synchronized long gapCount() {
        return gapCount;
    }

    @Override
    public int failovers() {
        return failovers.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready.completeExceptionally(new EarthwoException(ErrorCode.UNAVAILABLE, "subscription closed"));
        events.add(CLOSED);
        Connection c = connection;
        if (c != null) {
            c.close();
        }
        if (deliverer != null) {
            items.clear();
            items.offer(CLOSED);
        }
        join(driver);
        join(deliverer);
        onClose.accept(this);
    }

    private static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ChannelSubscription[" + request + ", node " + node + ", received " + receivedCount.get() + "]";
    }
}

package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.channels.ResumePoint;
import earthwo.api.channels.StreamKey;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One subscriber on this node. Publishers and peer threads only {@link #offer} into its bounded
 * buffer, which never blocks: a full buffer cuts this subscription off with SLOW_CONSUMER and
 * nothing else. Turns on the {@link DeliveryWorkers} drain the buffer to the listener, one turn at
 * a time, so the listener's calls never overlap. A resuming subscription first delivers its
 * replay (what the windows held after its resume point) and holds live messages meanwhile; its
 * {@link SequenceTracker} drops what the two have in common and names gaps.
 */
final class LocalSubscription implements Subscription, Runnable {

    /** What the subscription's owner learns from it. */
    interface Owner {
        void delivered(String channel);

        /**
         * The subscription ended; {@code dropped} messages were still waiting in its buffer;
         * {@code cutOn}: the channel whose message overflowed it, null if it was not cut off.
         */
        void ended(LocalSubscription s, EarthwoException reason, int dropped, String cutOn);
    }

    /** In a replay: the stream went as far as {@code lastSeen}; what the replay lacks up to it is a gap. */
    record StreamEnd(StreamKey stream, long lastSeen) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(LocalSubscription.class);

    /** Messages one turn delivers at most before the thread goes to another subscription. */
    private static final int TURN = 256;

    private static final int OPEN = 0;
    private static final int CLOSED = 1;

    private final long id;
    private final int nodeId;
    private final SubscribeRequest request;
    private final Interest filter;
    private final ChannelListener listener;
    /** The listener never blocks, so turns may run on the thread that offers a message. */
    private final boolean inline;
    private final ArrayBlockingQueue<ChannelMessage> buffer;
    private final int capacity;
    private final SequenceTracker tracker;
    private final DeliveryWorkers workers;
    private final Owner owner;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private volatile EarthwoException reason;
    private volatile boolean paused;
    private volatile boolean awaitingReplay;
    /** Set before {@link #awaitingReplay} is cleared; then used by the delivery turns only. */
    private volatile ArrayDeque<Object> replay;
    /** Changed by delivery turns only. */
    private boolean closeNotified;

    LocalSubscription(long id, int nodeId, SubscribeRequest request, int capacity, DeliveryWorkers workers,
                      Owner owner, ChannelListener listener) {
        this.id = id;
        this.nodeId = nodeId;
        this.request = request;
        this.filter = Interest.of(request.channels(), request.patterns());
        this.listener = listener;
        this.inline = listener.neverBlocks();
        this.capacity = capacity;
        this.buffer = new ArrayBlockingQueue<>(capacity);
        Map<StreamKey, Long> start = request.resumePoint().map(ResumePoint::lastReceived).orElse(Map.of());
        this.tracker = new SequenceTracker(start);
        this.awaitingReplay = request.resumePoint().isPresent();
        this.workers = workers;
        this.owner = owner;
    }

    Interest filter() {
        return filter;
    }

    SubscribeRequest request() {
        return request;
    }

    /**
     * From any thread, never blocks: takes a live message, or cuts the subscription off if the
     * buffer is full. With {@code inlineAllowed} and a listener that {@link ChannelListener#neverBlocks()
     * never blocks}, the turn runs here when no other runs, instead of on a delivery thread.
     */
    void offer(ChannelMessage m, boolean inlineAllowed) {
        if (state.get() != OPEN) {
            return;
        }
        if (!buffer.offer(m)) {
            cutOff(m.channel());
            return;
        }
        if (paused || awaitingReplay) {
            return;
        }
        if (inlineAllowed && inline && replay == null && scheduled.compareAndSet(false, true)) {
            run(); // holds the turn (scheduled) like a delivery thread; hands on what is left
            return;
        }
        schedule();
    }

    /** The replay is known: it is delivered before the live messages held meanwhile. */
    void replayLoaded(Collection<Object> items) {
        replay = new ArrayDeque<>(items);
        awaitingReplay = false;
        ready.complete(null);
        schedule();
    }

    /** Nodes know of the subscription and it does not resume: live messages only. */
    void markReady() {
        ready.complete(null);
    }

    /** Ends the subscription with a reason (null: by its owner); the listener hears of it last. */
    void end(EarthwoException why) {
        end(why, null);
    }

    private void end(EarthwoException why, String cutOn) {
        if (!state.compareAndSet(OPEN, CLOSED)) {
            return;
        }
        reason = why;
        int dropped = buffer.size() + (cutOn == null ? 0 : 1);
        buffer.clear();
        owner.ended(this, why, dropped, cutOn);
        ready.complete(null);
        schedule();
    }

    private void cutOff(String channel) {
        EarthwoException why = new EarthwoException(ErrorCode.SLOW_CONSUMER, "subscription " + id + " on node "
                + nodeId + " did not take its messages: its buffer of " + capacity + " messages overflowed on channel "
                + channel + "; subscribe again (with a resume point to learn what was missed)");
        LOG.warn("node {}: subscription {} ({}) cut off as a slow consumer on channel {}: buffer of {} full", nodeId, id,
                request, channel, capacity);
        end(why, channel);
    }

    void schedule() {
        if (scheduled.compareAndSet(false, true) && !workers.run(this)) {
            scheduled.set(false);
        }
    }

    /** One delivery turn. */
    @Override
    public void run() {
        try {
            if (state.get() != OPEN) {
                notifyClosed();
                return;
            }
            for (int n = 0; n < TURN && state.get() == OPEN && !paused && !awaitingReplay; n++) {
                Object next = nextItem();
                if (next == null) {
                    break;
                }
                deliver(next);
            }
            if (state.get() != OPEN) {
                notifyClosed();
            }
        } finally {
            scheduled.set(false);
            if (hasWork()) {
                schedule();
            }
        }
    }

    private Object nextItem() {
        ArrayDeque<Object> r = replay;
        if (r != null) {
            Object item = r.poll();
            if (item != null) {
                return item;
            }
            replay = null;
        }
        return buffer.poll();
    }

    private void deliver(Object item) {
        if (item instanceof StreamEnd end) {
            Gap gap = tracker.reached(end.stream(), end.lastSeen());
            if (gap != null) {
                reportGap(gap);
            }
            return;
        }
        ChannelMessage m = (ChannelMessage) item;
        SequenceTracker.Decision d = tracker.next(m);
        if (!d.deliver()) {
            duplicates.increment();
            return;
        }
        if (d.gap() != null) {
            reportGap(d.gap());
        }
        try {
            listener.onMessage(m);
        } catch (RuntimeException e) {
            // A listener's failure is its own: the next message is still delivered.
            LOG.warn("node {}: listener of subscription {} failed on a message of channel {}", nodeId, id,
                    m.channel(), e);
        }
        delivered.increment();
        owner.delivered(m.channel());
    }

    private void reportGap(Gap gap) {
        gaps.increment();
        try {
            listener.onGap(gap);
        } catch (RuntimeException e) {
            LOG.warn("node {}: listener of subscription {} failed on {}", nodeId, id, gap, e);
        }
    }

    private void notifyClosed() {
        if (closeNotified) {
            return;
        }
        closeNotified = true;
        replay = null;
        try {
            listener.onClosed(reason);
        } catch (RuntimeException e) {
            LOG.warn("node {}: listener of subscription {} failed when closed", nodeId, id, e);
        }
    }

    /**
     * For a stop: true when this subscription has nothing it could hand its listener now: what
     * it held is delivered and no turn runs, or it ended, or it is paused or waits for its replay
     * (neither would deliver before the stop ends it, so a stop does not wait for them).
     */
    boolean drainedForStop() {
        if (state.get() != OPEN || paused || awaitingReplay) {
            return true;
        }
        ArrayDeque<Object> r = replay;
        return buffer.isEmpty() && (r == null || r.isEmpty()) && !scheduled.get();
    }

    private boolean hasWork() {
        if (state.get() != OPEN) {
            return !closeNotified;
        }
        if (paused || awaitingReplay) {
            return false;
        }
        ArrayDeque<Object> r = replay;
        return (r != null && !r.isEmpty()) || !buffer.isEmpty();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public CompletionStage<Void> ready() {
        return ready.copy();
    }

    @Override
    public boolean isOpen() {
        return state.get() == OPEN;
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
        schedule();
    }

    @Override
    public long delivered() {
        return delivered.sum();
    }

    @Override
    public int buffered() {
        return buffer.size();
    }

    @Override
    public int bufferSize() {
        return capacity;
    }

    @Override
    public long gaps() {
        return gaps.sum();
    }

    @Override
    public long duplicatesSkipped() {
        return duplicates.sum();
    }

    @Override
    public ResumePoint position() {
        return new ResumePoint(tracker.snapshot(), ResumePoint.NO_SINCE);
    }

    @Override
    public void close() {
        end(null);
    }

    @Override
    public String toString() {
        return "subscription " + id + " (" + request + ")";
    }
}

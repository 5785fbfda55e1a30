package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Channels;
import earthwo.api.channels.Gap;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import earthwo.api.protocol.PushFrames;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The subscriptions of one client connection and the frames they push to it (WIRE-PROTOCOL.md
 * §14). Listeners run on the channels' delivery threads: they encode a frame and queue it here;
 * one task on the connection's I/O thread writes what is queued and flushes once per burst.
 *
 * <p>Backpressure: while the socket cannot take more (Netty's outbound high-water mark) or more
 * than {@value #PAUSE_ABOVE_BYTES} bytes wait here, every subscription of the connection is
 * paused: its messages wait in its own bounded buffer on the node, which cuts it off with
 * SLOW_CONSUMER when full. A client that stops reading thus costs the node one buffer, never the
 * publishers' time.
 */
final class ConnectionSubscriptions {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionSubscriptions.class);
    static final long PAUSE_ABOVE_BYTES = 1 << 20;
    private static final int BATCH_BYTES = 64 * 1024;

    private final Channel channel;
    private final String connectionKey;
    private final ServerStats stats;
    private final Map<Integer, Subscription> open = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<byte[]> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile boolean paused;
    private volatile boolean closed;

    ConnectionSubscriptions(Channel channel, String connectionKey, ServerStats stats) {
        this.channel = channel;
        this.connectionKey = connectionKey;
        this.stats = stats;
    }

    /** True while a subscription of the connection is open (the connection is then not idle). */
    boolean any() {
        return !open.isEmpty();
    }

    /** Opens the subscription of a SUBSCRIBE request; answers once it is ready. Throws typed errors. */
    CompletionStage<Response> subscribe(Channels channels, Request req) {
        int id = req.id();
        if (open.containsKey(id)) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "request id " + id
                    + " already names an open subscription on this connection");
        }
        SubscribeRequest request = req.subscription().onConnection(connectionKey);
        request.check();
        Subscription s = channels.subscribe(request, new Pusher(id));
        if (closed) {
            s.close();
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "the connection closed");
        }
        open.put(id, s);
        if (!s.isOpen()) {
            open.remove(id, s); // ended before it was noted here: its onClosed found nothing to remove
        }
        stats.subscriptionsOpened.increment();
        if (paused) {
            s.pause();
        }
        return s.ready().thenApply(v -> Response.subscribed(id,
                new Response.Subscribed(s.id(), System.currentTimeMillis())));
    }

    /** Ends a subscription of this connection; its ENDED frame follows. False when none is open under the id. */
    boolean unsubscribe(int id) {
        Subscription s = open.get(id);
        if (s == null) {
            return false;
        }
        s.close();
        return true;
    }

    /** The connection is gone: ends every subscription; nothing more is written. */
    void closeAll() {
        closed = true;
        for (Subscription s : List.copyOf(open.values())) {
            s.close();
        }
        open.clear();
        outbox.clear();
        queuedBytes.set(0);
    }

    /** Called on the I/O thread when the socket's writability changed. */
    void writabilityChanged() {
        updatePause();
    }

    private void push(byte[] frame) {
        if (closed) {
            return;
        }
        outbox.add(frame);
        long queued = queuedBytes.addAndGet(frame.length);
        if (queued > PAUSE_ABOVE_BYTES && !paused) {
            updatePause();
        }
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drain);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        boolean wrote = false;
        byte[] frame = outbox.poll();
        while (frame != null) {
            // Frames go out copied together into buffers of up to BATCH_BYTES: one pass through
            // the pipeline per batch instead of one per message.
            ByteBuf batch = channel.alloc().buffer(Math.max(frame.length, BATCH_BYTES));
            do {
                queuedBytes.addAndGet(-frame.length);
                batch.writeBytes(frame);
                frame = outbox.poll();
            } while (frame != null && batch.writableBytes() >= frame.length);
            if (channel.isActive()) {
                channel.write(batch, channel.voidPromise());
                wrote = true;
            } else {
                batch.release();
            }
        }
        if (wrote) {
            channel.flush();
            stats.pushesFlushed.increment();
        }
        updatePause();
    }

    /** Pauses or resumes the connection's subscriptions when that is due; the lock only then. */
    private void updatePause() {
        if (wantPause() != paused) {
            applyPause();
        }
    }

    private boolean wantPause() {
        return !closed && (queuedBytes.get() > PAUSE_ABOVE_BYTES || !channel.isWritable());
    }

    private synchronized void applyPause() {
        boolean want = wantPause();
        if (want == paused) {
            return;
        }
        paused = want;
        for (Subscription s : open.values()) {
            if (want) {
                s.pause();
            } else {
                s.resume();
            }
        }
    }

    /** Turns what one subscription delivers into frames. */
    private final class Pusher implements ChannelListener {
        private final int id;

        Pusher(int id) {
            this.id = id;
        }

        /** It only queues a frame for the connection's I/O thread. */
        @Override
        public boolean neverBlocks() {
            return true;
        }

        @Override
        public void onMessage(ChannelMessage message) {
            stats.messagesPushed.increment();
            push(PushFrames.message(id, message));
        }

        @Override
        public void onGap(Gap gap) {
            push(PushFrames.gap(id, gap));
        }

        @Override
        public void onClosed(EarthwoException reason) {
            open.remove(id);
            if (reason != null) {
                LOG.debug("subscription {} of {} ended: {}", id, connectionKey, reason.getMessage());
            }
            push(PushFrames.ended(id, reason == null ? null : reason.code(),
                    reason == null ? "unsubscribed" : reason.detail()));
        }
    }
}

package earthwo.channels.internal;

import earthwo.api.channels.ChannelMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

/**
 * The messages on their way to one other node. One batch at a time is in flight, and the next
 * leaves only when the node answered the one before: a publisher's messages reach the node in the
 * order they were queued, which concurrent calls over pooled connections would not promise. A
 * failed batch is not sent again (the node's subscribers see a gap); a full queue drops the new
 * message (counted) rather than grow or block the publisher.
 */
final class PeerQueue {

    /** A queued message and the publish waiting for the answer (null for a message only passed on). */
    record Outgoing(ChannelMessage message, PublishTracker tracker) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PeerQueue.class);

    /** Messages per batch at most. */
    static final int BATCH_MESSAGES = 1_024;
    /** Payload bytes per batch at most, far below the frame limit (one message may pass it alone). */
    static final int BATCH_BYTES = 4 * 1024 * 1024;

    private final int nodeId;
    private final int localNodeId;
    private final int capacity;
    private final BiFunction<Integer, byte[], CompletionStage<byte[]>> sender;
    private final Executor executor;
    private final ConcurrentLinkedQueue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final LongAdder sent;
    private final LongAdder dropped;
    private volatile boolean closed;
    /** When a failure was last logged: a dead node would otherwise log every batch. */
    private volatile long lastLoggedAt;

    /**
     * @param sender sends a payload to a node (node-to-node links with the peer timeout)
     * @param executor where batches are put together and sent from, never the publisher's thread
     */
    PeerQueue(int nodeId, int localNodeId, int capacity, BiFunction<Integer, byte[], CompletionStage<byte[]>> sender,
              Executor executor, LongAdder sent, LongAdder dropped) {
        this.nodeId = nodeId;
        this.localNodeId = localNodeId;
        this.capacity = capacity;
        this.sender = sender;
        this.executor = executor;
        this.sent = sent;
        this.dropped = dropped;
    }

    /** Queues a message; false (and the publish hears of a failure) if the queue is full or closed. */
    boolean offer(Outgoing o) {
        if (closed || size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.increment();
            if (o.tracker() != null) {
                o.tracker().answered(false);
            }
            return false;
        }
        queue.add(o);
        kick();
        return true;
    }

    int queued() {
        return size.get();
    }

    /** Nothing queued and no batch waiting for the node's answer. */
    boolean idle() {
        return size.get() == 0 && !sending.get();
    }

    /** Fails what is queued; a batch in flight still completes. */
    void close() {
        closed = true;
        Outgoing o;
        while ((o = queue.poll()) != null) {
            size.decrementAndGet();
            dropped.increment();
            if (o.tracker() != null) {
                o.tracker().answered(false);
            }
        }
    }

    private void kick() {
        if (!queue.isEmpty() && sending.compareAndSet(false, true)) {
            try {
                executor.execute(this::sendBatch);
            } catch (RuntimeException e) {
                sending.set(false);
                close();
            }
        }
    }

    private void sendBatch() {
        List<Outgoing> batch = new ArrayList<>();
        long bytes = 0;
        Outgoing o;
        while (batch.size() < BATCH_MESSAGES && (batch.isEmpty() || bytes < BATCH_BYTES)
                && (o = queue.poll()) != null) {
            size.decrementAndGet();
            batch.add(o);
            bytes += o.message().payload().length;
        }
        if (batch.isEmpty()) {
            sending.set(false);
            kick(); // a message queued between the poll and the reset
            return;
        }
        CompletionStage<byte[]> call;
        try {
            call = sender.apply(nodeId, PeerMessages.encodeMessages(batch.stream().map(Outgoing::message).toList()));
        } catch (RuntimeException e) {
            call = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        call.whenComplete((answer, failure) -> {
            boolean ok = failure == null;
            if (ok) {
                sent.add(batch.size());
            } else {
                dropped.add(batch.size());
                logFailure(batch, failure);
            }
            for (Outgoing b : batch) {
                if (b.tracker() != null) {
                    b.tracker().answered(ok);
                }
            }
            sending.set(false);
            kick();
        });
    }

    private void logFailure(List<Outgoing> batch, Throwable failure) {
        long now = System.nanoTime();
        if (now - lastLoggedAt < 1_000_000_000L) {
            return;
        }
        lastLoggedAt = now;
        LOG.warn("node {}: {} channel messages did not reach node {} (first of channel {}): {}; at most one such line a second", localNodeId,
                batch.size(), nodeId, batch.get(0).message().channel(), failure.toString());
    }
}

package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.HintStore;
import earthwo.api.storage.HintStore.Hint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Hinted handoff, the replaying side: on one scheduled thread, for every node with hints that is
 * in the current map, sends its hints oldest first, a batch at a time with the whole batch in
 * flight at once (APPLY through the replica transport; the replica applies last-writer-wins, so
 * the order within a batch does not matter), and removes each hint its node acknowledged. A
 * failure stops that node's replay and backs off (doubling from the replay interval up to a
 * maximum) before the next attempt. Every map change clears the back-off and runs a replay at
 * once: a node that returns re-registers, which changes the map, so its hints flow as soon as it
 * is back rather than after the back-off it earned while down.
 * Hints for a node that left the cluster (past its grace period: in no replica list and not among
 * the map's nodes) are dropped: its replicas were re-created elsewhere and synced from their
 * masters, and if it comes back it joins as a new member whose replicas sync from the masters.
 */
final class HintReplayer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HintReplayer.class);

    private final HintStore hints;
    private final ClusterView cluster;
    private final ReplicaTransport transport;
    private final LongSupplier clock;
    private final int batch;
    private final long intervalMs;
    private final long maxBackoffMs;
    private final long sendTimeoutMs;
    /** Per node: consecutive failures and when the next attempt may run. */
    private final Map<Integer, long[]> backoff = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService executor;
    private volatile AutoCloseable mapListener;

    final LongAdder replayed = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder dropped = new LongAdder();

    HintReplayer(HintStore hints, ClusterView cluster, ReplicaTransport transport, LongSupplier clock,
                 int batch, long intervalMs, long maxBackoffMs, long sendTimeoutMs) {
        this.hints = hints;
        this.cluster = cluster;
        this.transport = transport;
        this.clock = clock;
        this.batch = Math.max(1, batch);
        this.intervalMs = Math.max(10, intervalMs);
        this.maxBackoffMs = Math.max(this.intervalMs, maxBackoffMs);
        this.sendTimeoutMs = sendTimeoutMs;
    }

    /** Starts the replay thread (runs every interval). */
    void start() {
        int node = cluster.localNodeId();
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "earthwo-hint-replay-" + node);
            t.setDaemon(true);
            return t;
        });
        ex.scheduleWithFixedDelay(this::runSafely, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        executor = ex;
        mapListener = cluster.onMapChange(m -> {
            backoff.clear();
            try {
                ex.execute(this::runSafely);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        });
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            LOG.warn("node {} hint replay pass failed: {}", cluster.localNodeId(), e.toString());
        }
    }

    /** One pass over every node with hints; returns how many hints were replayed. */
    int runOnce() {
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        int total = 0;
        for (Map.Entry<Integer, Long> e : hints.pending().entrySet()) {
            int node = e.getKey();
            if (node != self && e.getValue() > 0 && !map.nodes().containsKey(node) && map.segmentsOf(node).isEmpty()) {
                dropHintsOf(node, map);
                continue;
            }
            if (node == self || e.getValue() <= 0 || !map.nodes().containsKey(node)) {
                continue;
            }
            long[] b = backoff.get(node);
            if (b != null && clock.getAsLong() < b[1]) {
                continue;
            }
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            total += replayTo(node);
        }
        return total;
    }

    private void dropHintsOf(int node, SegmentMap map) {
        long n = 0;
        while (!Thread.currentThread().isInterrupted()) {
            List<Hint> next = hints.peek(node, 1000);
            if (next.isEmpty()) {
                break;
            }
            for (Hint h : next) {
                hints.remove(h);
                n++;
            }
        }
        dropped.add(n);
        backoff.remove(node);
        LOG.info("node {} dropped {} hints for node {}: it left the cluster (not in map epoch {}); its replicas were "
                + "re-created and sync from their masters", cluster.localNodeId(), n, node, map.epoch());
    }

    private int replayTo(int node) {
        int sent = 0;
        long start = clock.getAsLong();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                List<Hint> next = hints.peek(node, batch);
                if (next.isEmpty()) {
                    break;
                }
                List<java.util.concurrent.CompletableFuture<Void>> answers = new java.util.ArrayList<>(next.size());
                for (Hint h : next) {
                    java.util.concurrent.CompletableFuture<Void> a;
                    try {
                        a = transport.send(node, h.segment(), h.record()).toCompletableFuture();
                    } catch (RuntimeException e) {
                        a = java.util.concurrent.CompletableFuture.failedFuture(e);
                    }
                    answers.add(a);
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sendTimeoutMs + 1000);
                Exception failure = null;
                for (int i = 0; i < next.size(); i++) {
                    try {
                        answers.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        hints.remove(next.get(i)); // acknowledged: done, whatever happened to the others
                        sent++;
                        replayed.increment();
                    } catch (ExecutionException | TimeoutException e) {
                        if (refusedForGood(node, next.get(i), WriteCoordinator.unwrap(e))) {
                            hints.remove(next.get(i));
                            dropped.increment();
                        } else if (failure == null) {
                            failure = e;
                        }
                    }
                }
                if (failure != null) {
                    throw failure;
                }
                if (clock.getAsLong() - start > 10_000) {
                    break; // give the other nodes their turn; the next pass continues
                }
            }
            backoff.remove(node);
            if (sent > 0) {
                LOG.info("node {} replayed {} hints to node {} ({} still pending)", cluster.localNodeId(), sent, node,
                        hints.pending().getOrDefault(node, 0L));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failures.increment();
            long[] b = backoff.computeIfAbsent(node, n -> new long[2]);
            b[0]++;
            long delay = Math.min(maxBackoffMs, intervalMs << Math.min(20, b[0] - 1));
            b[1] = clock.getAsLong() + delay;
            LOG.warn("node {} replayed {} hints to node {}, then failed ({} pending, retry in {} ms): {}",
                    cluster.localNodeId(), sent, node, hints.pending().getOrDefault(node, 0L), delay,
                    WriteCoordinator.unwrap(e).getMessage());
        }
        return sent;
    }

    /**
     * Whether the node refused a hint in a way no retry changes: the hint's segment is no longer
     * one of its replicas under the current map (anti-entropy brings the write to the segment's
     * replicas now), or the record's version is too far ahead of its clock.
     */
    private boolean refusedForGood(int node, Hint h, Throwable cause) {
        if (!(cause instanceof EarthwoException e)) {
            return false;
        }
        boolean gone = e.code() == ErrorCode.WRONG_SEGMENT && !cluster.currentMap().isReplica(h.segment(), node);
        if (gone || e.code() == ErrorCode.CLOCK_SKEW) {
            LOG.warn("node {} dropped a hint for node {} (segment {}, key {}): {}", cluster.localNodeId(), node,
                    h.segment(), Keys.printable(h.record().key()), e.getMessage());
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        AutoCloseable l = mapListener;
        mapListener = null;
        if (l != null) {
            try {
                l.close();
            } catch (Exception e) {
                LOG.debug("removing the map listener failed", e);
            }
        }
        ScheduledExecutorService ex = executor;
        executor = null;
        if (ex == null) {
            return;
        }
        ex.shutdownNow();
        try {
            if (!ex.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("node {} hint replay thread did not stop within 5 s", cluster.localNodeId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package earthwo.hooks.internal;

import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.hooks.KeyHook;
import earthwo.api.storage.SegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The daemon thread of one hook ({@value #THREAD_PREFIX}NAME): goes round the segments this node
 * masters, one {@link SegmentFeed#step} each per turn, so a segment with a backlog cannot starve
 * the others; rests {@value #IDLE_MS} ms when a whole turn moved nothing. A hook that blocks
 * holds only this thread: every hook has its own, and writes never wait for any.
 *
 * <p>Positions are loaded from the store when the thread starts and again for every segment this
 * node starts to master (the previous master sent its positions here).
 *
 * <p>Stopping never interrupts (see {@link Signal}): {@link #requestStop} sets the signal, a
 * delivery in flight runs to its acknowledgement or its timeout, and the thread ends.
 */
final class HookRunner {

    static final String THREAD_PREFIX = "earthwo-hook-";
    /** The rest after a turn that moved nothing: how soon a new (settled) event is seen. */
    static final long IDLE_MS = 100;
    /** Turns after which quiet segments are read again anyway (about 10 s when idle). */
    static final int REREAD_QUIET_TURNS = 100;
    /** The rest after the store failed, so a store that is reopening is not asked in a loop. */
    static final long ERROR_PAUSE_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(HookRunner.class);

    private final HookSpec spec;
    private final ClusterView cluster;
    private final HookStats stats;
    private final Positions positions;
    private final Signal signal = new Signal();
    private final AtomicBoolean retrying = new AtomicBoolean();
    private final SegmentFeed feed;
    private final RateLimitedLog errorLog = new RateLimitedLog();
    private final Thread thread;

    HookRunner(HookSpec spec, KeyHook hook, SegmentStore store, ClusterView cluster, HookStats stats,
               LongSupplier clock, long settleMs, boolean paused) {
        this.spec = spec;
        this.cluster = cluster;
        this.stats = stats;
        this.positions = new Positions(spec.name(), store);
        this.feed = new SegmentFeed(spec, hook, store, cluster, positions, stats, signal, clock, settleMs, retrying);
        signal.setPaused(paused);
        this.thread = new Thread(this::run, THREAD_PREFIX + spec.name());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    HookSpec spec() {
        return spec;
    }

    void setPaused(boolean paused) {
        signal.setPaused(paused);
    }

    HookState state() {
        return signal.isPaused() ? HookState.PAUSED : retrying.get() ? HookState.RETRYING : HookState.ACTIVE;
    }

    /** The positions this thread holds (of the segments it mastered since it started). */
    Map<Integer, Version> positions() {
        return positions.snapshot();
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /** Asks the thread to stop; returns at once. */
    void requestStop() {
        signal.stop();
    }

    /**
     * Waits for the thread to end until {@code deadlineNanos} ({@link System#nanoTime()}). If it
     * still runs then (stuck inside the hook's deliver), it is left behind, abandoned: a daemon
     * that ends without touching the store once the hook returns. True if it ended.
     */
    boolean awaitStop(long deadlineNanos) {
        signal.stop();
        try {
            thread.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            signal.abandon();
            LOG.warn("node {} hook '{}': its thread {} is still inside the hook's deliver after the timeout; it is left"
                    + " behind (a daemon) and ends without saving anything when the hook returns",
                    cluster.localNodeId(), spec.name(), thread.getName());
            return false;
        }
        return true;
    }

    private void run() {
        Set<Integer> mastered = Set.of();
        int turn = 0;
        while (!signal.isStopped()) {
            if (signal.isPaused()) {
                signal.await(60_000); // woken by resume or stop
                continue;
            }
            List<Integer> segments;
            try {
                segments = masteredSegments();
                List<Integer> gained = new ArrayList<>(segments);
                gained.removeAll(mastered);
                positions.load(gained);
                mastered = new HashSet<>(segments);
            } catch (RuntimeException e) {
                storeFailed(-1, e);
                continue;
            }
            boolean moved = false;
            for (int i = 0; i < segments.size() && !signal.isStopped() && !signal.isPaused(); i++) {
                int segment = segments.get((turn + i) % segments.size());
                try {
                    moved |= feed.step(segment);
                } catch (RuntimeException e) {
                    if (signal.isAbandoned()) {
                        return;
                    }
                    storeFailed(segment, e);
                }
            }
            turn++;
            stats.turns.increment();
            if (turn % REREAD_QUIET_TURNS == 0) {
                feed.forgetQuiet();
            }
            if (!moved) {
                signal.await(IDLE_MS);
            }
        }
    }

    private void storeFailed(int segment, RuntimeException e) {
        stats.errors.increment();
        long n = errorLog.event();
        if (n > 0) {
            LOG.warn("node {} hook '{}'{}: the outbox could not be read or the position saved: {}; trying again"
                    + " ({} such errors since the last line about them)", cluster.localNodeId(), spec.name(),
                    segment < 0 ? "" : " segment " + segment, Delivery.describe(e), n, e);
        }
        signal.await(ERROR_PAUSE_MS);
    }

    /** Segments this node masters under the current map (not fenced, not syncing), in order. */
    private List<Integer> masteredSegments() {
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s < map.segmentCount(); s++) {
            if (cluster.isMaster(s) && !map.isSyncing(s, self)) {
                out.add(s);
            }
        }
        return out;
    }
}

package earthwo.hooks.internal;

import earthwo.api.logging.RateLimitedLog;
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
 * the others; rests {@value #IDLE_MS} ms after a turn in which no segment had a whole batch waiting, so
 * that events are read in batches of what settled meanwhile rather than one by one. A hook that blocks
 * holds only this thread: every hook has its own, and writes never wait for any.
 *
 * <p>Positions are loaded from the store when the thread starts and again for every segment this
 * node starts to master (the previous master sent its positions here); then, before anything of
 * such a segment is delivered, the segment's other replicas are asked for theirs
 * ({@link PositionAsk}, up to a second), and the furthest is taken and saved: a node that was
 * down while another mastered the segment does not deliver again what that one delivered. A
 * position a master sends here later is taken too where it is further on ({@link #offer}).
 *
 * <p>A {@code deliver} call that does not return holds this thread; past the hook's timeout the
 * hook is shown {@link HookState#STUCK} ({@link CallWatch}).
 *
 * <p>Stopping never interrupts (see {@link Signal}): {@link #requestStop} sets the signal, a
 * delivery in flight runs to its acknowledgement or its timeout, and the thread ends.
 */
final class HookRunner {

    static final String THREAD_PREFIX = "earthwo-hook-";
    /** The rest after a turn that found no whole batch: how soon a new (settled) event is seen. */
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
    private final PositionAsk ask;
    private final CallWatch watch;
    private final RateLimitedLog errorLog = new RateLimitedLog();
    private final Thread thread;

    /** {@code ask}: asks the other replicas of a segment this node starts to master for their positions. */
    HookRunner(HookSpec spec, KeyHook hook, SegmentStore store, ClusterView cluster, HookStats stats,
               LongSupplier clock, long settleMs, boolean paused, PositionAsk ask) {
        this.spec = spec;
        this.cluster = cluster;
        this.stats = stats;
        this.ask = ask;
        this.watch = new CallWatch(cluster.localNodeId(), spec.name(), spec.timeoutMs());
        this.positions = new Positions(spec.name(), store);
        this.feed = new SegmentFeed(spec, hook, store, cluster, positions, stats, signal, clock, settleMs, retrying,
                watch);
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

    /** Paused (by an operator) first, then stuck (inside a call past the timeout), retrying, active. */
    HookState state() {
        return signal.isPaused() ? HookState.PAUSED : watch.isStuck() ? HookState.STUCK
                : retrying.get() ? HookState.RETRYING : HookState.ACTIVE;
    }

    /** How long the current deliver call has run (ms) when longer than the timeout; else 0. */
    long stuckMillis() {
        return watch.stuckMillis();
    }

    /** Logs (once) a deliver call that has become stuck; true if the hook is stuck. */
    boolean checkStuck() {
        return watch.check();
    }

    /** The positions this thread holds (of the segments it mastered since it started). */
    Map<Integer, Version> positions() {
        return positions.snapshot();
    }

    /**
     * Takes a position a master sent (already saved in the store) where it is further on than
     * the one this thread holds; true if it moved. The thread reads it before its next batch.
     */
    boolean offer(int segment, Version saved) {
        return positions.offer(segment, saved);
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /** Asks the thread to stop; returns at once. */
    void requestStop() {
        signal.stop();
    }

    /** True while a deliver call has run longer than the hook's timeout. */
    boolean isStuck() {
        return watch.isStuck();
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
            long stuckMs = watch.stuckMillis();
            LOG.warn("node {} hook '{}': its thread {} is still inside the hook's deliver{}; it is left behind (a daemon)"
                    + " and ends without saving anything when the hook returns", cluster.localNodeId(), spec.name(),
                    thread.getName(), stuckMs > 0 ? " (stuck there for " + stuckMs + " ms)" : " at the stop's deadline");
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
                askReplicas(gained);
                mastered = new HashSet<>(segments);
            } catch (RuntimeException e) {
                storeFailed(-1, e);
                continue;
            }
            if (signal.isAbandoned()) {
                return;
            }
            boolean more = false;
            for (int i = 0; i < segments.size() && !signal.isStopped() && !signal.isPaused(); i++) {
                int segment = segments.get((turn + i) % segments.size());
                try {
                    more |= feed.step(segment);
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
            if (!more) {
                signal.await(IDLE_MS);
            }
        }
    }

    /**
     * Before the first batch of segments this node starts to master: the furthest of the other
     * replicas' positions, saved. A failure to save leaves the segments un-mastered for the next
     * turn, which asks again.
     */
    private void askReplicas(List<Integer> gained) {
        if (gained.isEmpty() || ask == null) {
            return;
        }
        Map<Integer, Version> theirs = ask.ask(spec.name(), gained, signal);
        if (theirs.isEmpty() || signal.isAbandoned()) {
            return;
        }
        Map<Integer, Version> moved = positions.takeFurther(theirs);
        if (!moved.isEmpty()) {
            stats.positionsTaken.add(moved.size());
            LOG.info("node {} hook '{}': starts to master {} segments; the other replicas had further positions in {} of"
                    + " them ({}), taken", cluster.localNodeId(), spec.name(), gained.size(), moved.size(),
                    describe(moved, theirs));
        }
    }

    private static String describe(Map<Integer, Version> before, Map<Integer, Version> after) {
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (Map.Entry<Integer, Version> e : before.entrySet()) {
            if (shown++ == 8) {
                b.append(", ...");
                break;
            }
            b.append(shown == 1 ? "" : ", ").append("segment ").append(e.getKey()).append(' ').append(e.getValue())
                    .append(" -> ").append(after.get(e.getKey()));
        }
        return b.toString();
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

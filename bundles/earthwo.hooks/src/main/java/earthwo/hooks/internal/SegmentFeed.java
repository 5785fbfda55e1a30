package earthwo.hooks.internal;

import earthwo.api.logging.RateLimitedLog;
import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;
import earthwo.api.storage.OutboxLoss;
import earthwo.api.storage.SegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * One step of one hook in one segment this node masters: from the hook's position, a GAP if the
 * outbox dropped events the hook had not got, else the next batch of settled events, filtered,
 * delivered until the hook acknowledges it (retried with back-off), then the position saved.
 *
 * <p>A segment whose outbox had nothing after the position is not read again while the store's
 * {@link SegmentStore#changeCount} of it stays the same: every event is written with a change of
 * a record, so an unchanged segment has no new event, and an idle hook costs no outbox reads.
 *
 * <p>Order per key: the outbox gives a segment's events in version order, a batch is delivered
 * whole before the next is read, and a failed batch goes again unchanged. Events the filter
 * leaves out still move the position, so a hook that takes few events does not re-read the
 * others forever.
 */
final class SegmentFeed {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentFeed.class);

    private final HookSpec spec;
    private final KeyHook hook;
    private final SegmentStore store;
    private final ClusterView cluster;
    private final Positions positions;
    private final HookStats stats;
    private final Signal signal;
    private final LongSupplier clock;
    private final long settleMs;
    private final AtomicBoolean retrying;
    private final CallWatch watch;
    private final RateLimitedLog failureLog = new RateLimitedLog();
    /** Per segment, the store's change count when its outbox had nothing after the position. */
    private final Map<Integer, Long> quiet = new HashMap<>();

    SegmentFeed(HookSpec spec, KeyHook hook, SegmentStore store, ClusterView cluster, Positions positions,
                HookStats stats, Signal signal, LongSupplier clock, long settleMs, AtomicBoolean retrying,
                CallWatch watch) {
        this.spec = spec;
        this.hook = hook;
        this.store = store;
        this.cluster = cluster;
        this.positions = positions;
        this.stats = stats;
        this.signal = signal;
        this.clock = clock;
        this.settleMs = settleMs;
        this.retrying = retrying;
        this.watch = watch;
    }

    /**
     * Takes one step in the segment; true if it delivered a whole batch, so more settled events
     * may be waiting. A segment that had fewer is not read again before the runner's next turn.
     */
    boolean step(int segment) {
        if (!cluster.isMaster(segment)) {
            return false;
        }
        long changes = store.changeCount(segment);
        Long quietAt = quiet.get(segment);
        if (changes >= 0 && quietAt != null && quietAt == changes) {
            return false;
        }
        Version position = positions.get(segment);
        OutboxLoss loss = store.outboxLoss(segment);
        if (loss != null && position.compareTo(loss.through()) < 0) {
            return deliverGap(segment, loss);
        }
        long settledAt = clock.getAsLong() - settleMs;
        List<KeyEvent> read = store.events(segment, position, settledAt, spec.batch());
        if (read.isEmpty() && changes >= 0 && store.events(segment, position, 1).isEmpty()) {
            quiet.put(segment, changes);
        } else {
            quiet.remove(segment);
        }
        int from = 0;
        while (from < read.size() && read.get(from).version().compareTo(position) <= 0) {
            from++; // not expected of the store; never deliver behind the position
        }
        int to = from;
        while (to < read.size() && read.get(to).version().wallMillis() <= settledAt) {
            to++;
        }
        if (to == from) {
            return false;
        }
        boolean full = read.size() >= spec.batch();
        List<KeyEvent> settled = read.subList(from, to);
        Version through = settled.get(settled.size() - 1).version();
        List<KeyEvent> wanted = spec.filter().select(settled);
        if (!wanted.isEmpty()) {
            if (!deliver(segment, wanted) || signal.isAbandoned()) {
                return false;
            }
            long now = clock.getAsLong();
            for (KeyEvent e : wanted) {
                stats.lag.record(now - e.version().wallMillis());
            }
            stats.delivered.add(wanted.size());
        }
        positions.save(segment, through);
        return full;
    }

    /**
     * Reads every segment again at its next step, whatever its change count says: a safety net
     * in case a store's count restarted without this component being restarted with it.
     */
    void forgetQuiet() {
        quiet.clear();
    }

    private boolean deliverGap(int segment, OutboxLoss loss) {
        if (!deliver(segment, List.of(KeyEvent.gap(segment, loss.through(), loss.count()))) || signal.isAbandoned()) {
            return false;
        }
        stats.gaps.increment();
        positions.save(segment, loss.through());
        LOG.warn("node {} hook '{}' segment {}: the full outbox dropped events before the hook got them ({} dropped"
                + " there in all, through version {}); the hook was sent a GAP and goes on after it",
                cluster.localNodeId(), spec.name(), segment, loss.count(), loss.through());
        return true;
    }

    /**
     * Delivers the batch until the hook acknowledges it; false, leaving the position, when the
     * thread is stopped or paused or the node stops mastering the segment first.
     */
    private boolean deliver(int segment, List<KeyEvent> batch) {
        Backoff backoff = new Backoff(spec.maxBackoffMs());
        try {
            while (true) {
                Delivery.Outcome o = Delivery.attempt(hook, batch, spec.timeoutMs(), watch);
                if (o.ok()) {
                    return true;
                }
                stats.failed.increment();
                long pause = backoff.next();
                long n = failureLog.event();
                if (n > 0) {
                    LOG.warn("node {} hook '{}' segment {}: delivery of {} events {}; the same batch goes again in {} ms"
                            + " ({} failed attempts of this hook since the last line about them)", cluster.localNodeId(),
                            spec.name(), segment, batch.size(), o.failure(), pause, n);
                }
                retrying.set(true);
                signal.await(pause);
                if (signal.isStopped() || signal.isPaused() || !cluster.isMaster(segment)) {
                    return false;
                }
                stats.retried.increment();
            }
        } finally {
            retrying.set(false);
        }
    }
}

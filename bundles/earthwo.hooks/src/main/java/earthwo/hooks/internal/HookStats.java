package earthwo.hooks.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * What was delivered to one hook name since this component started. Kept per name, not per
 * service: an updated hook bundle (its service goes and comes back) continues the same figures.
 */
final class HookStats {

    /** Events the hook acknowledged (GAPs not counted). */
    final LongAdder delivered = new LongAdder();
    /** Attempts of a batch after the first one failed. */
    final LongAdder retried = new LongAdder();
    /** Attempts that failed: the stage failed, deliver threw, or the timeout passed. */
    final LongAdder failed = new LongAdder();
    /** GAP events the hook acknowledged. */
    final LongAdder gaps = new LongAdder();
    /** Failures of the dispatcher itself (store reads and writes), not of the hook. */
    final LongAdder errors = new LongAdder();
    /** Turns over the mastered segments the hook's thread completed: lets a test wait for "it looked". */
    final LongAdder turns = new LongAdder();
    /**
     * Positions this hook's thread took from elsewhere because they were further on than its own:
     * asked of the other replicas when this node started to master a segment, or sent by a master
     * while the thread held the segment.
     */
    final LongAdder positionsTaken = new LongAdder();
    final LagWindow lag = new LagWindow();
}

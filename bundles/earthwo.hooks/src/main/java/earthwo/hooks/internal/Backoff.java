package earthwo.hooks.internal;

/**
 * Pauses between attempts of a failing batch: {@value #INITIAL_MS} ms, doubling up to a maximum.
 * A hook that is down is asked again soon, and a hook that stays down costs one attempt per
 * maximum pause.
 */
final class Backoff {

    static final long INITIAL_MS = 100;

    private final long maxMillis;
    private long next = INITIAL_MS;

    Backoff(long maxMillis) {
        this.maxMillis = Math.max(INITIAL_MS, maxMillis);
    }

    /** The pause before the next attempt; each call doubles the one after, up to the maximum. */
    long next() {
        long pause = Math.min(next, maxMillis);
        next = Math.min(next * 2, maxMillis);
        return pause;
    }
}

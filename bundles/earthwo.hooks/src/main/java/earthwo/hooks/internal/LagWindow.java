package earthwo.hooks.internal;

import java.util.Arrays;

/**
 * Delivery lag (acknowledgement time minus the wall time of the event's version, in ms) of a
 * hook's most recent events, for percentiles: a ring of the last {@code capacity} values. Exact
 * over a window the operator can reason about ("the last 10,000 events"), and small: 80 KB.
 * (A copy of the ttl bundle's: bundles share only the api.)
 */
final class LagWindow {

    static final int DEFAULT_CAPACITY = 10_000;

    private final long[] ring;
    private int next;
    private int size;

    LagWindow() {
        this(DEFAULT_CAPACITY);
    }

    LagWindow(int capacity) {
        this.ring = new long[capacity];
    }

    synchronized void record(long lagMillis) {
        ring[next] = Math.max(0, lagMillis);
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** Values in the window. */
    synchronized int size() {
        return size;
    }

    /**
     * The nearest-rank percentile ({@code p} in 0..100] of the window's values, or -1 when it is
     * empty.
     */
    long percentile(double p) {
        long[] values;
        synchronized (this) {
            values = Arrays.copyOf(ring, size);
        }
        if (values.length == 0) {
            return -1;
        }
        Arrays.sort(values);
        int rank = (int) Math.ceil(p / 100.0 * values.length);
        return values[Math.min(values.length, Math.max(1, rank)) - 1];
    }
}

package earthwo.ttl.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * The reaps in flight: at most {@code max} at a time, and never two of one key (a reap issued in
 * one pass may still run when the next pass finds its key in the index again).
 *
 * <p>Waiting here is woken by {@link #close()} rather than by an interrupt: the reaper thread
 * also reads the store, and an interrupt that lands inside a JE call invalidates the whole JE
 * environment of the node.
 */
final class InFlight {

    private final int max;
    private final Set<SegmentKey> keys = new HashSet<>();
    private boolean closed;

    InFlight(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("in-flight bound must be at least 1, not " + max);
        }
        this.max = max;
    }

    /**
     * Waits for a free slot and takes it for the key. False if the key is in flight already or
     * the reaper is closing ({@link #isClosed()} tells which).
     */
    synchronized boolean acquire(SegmentKey key) {
        while (keys.size() >= max && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !closed && keys.add(key);
    }

    synchronized void release(SegmentKey key) {
        keys.remove(key);
        notifyAll();
    }

    synchronized boolean contains(SegmentKey key) {
        return keys.contains(key);
    }

    synchronized int size() {
        return keys.size();
    }

    /** No more slots are handed out; a waiting {@link #acquire} returns false at once. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Waits until no reap is in flight, at most {@code timeoutMillis}; true if none is. */
    synchronized boolean awaitEmpty(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!keys.isEmpty()) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return keys.isEmpty();
            }
        }
        return true;
    }
}

package earthwo.channels.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The way into the hub for what it accepts (publishes, batches from other nodes, new
 * subscriptions), counted while it is on its way in, so a stop can first refuse new ones and then
 * wait for those already let in: once {@link #close} returns, everything accepted has reached the
 * subscriptions' buffers and the peer queues, where the drain finds it. Entering never waits.
 */
final class Intake {

    private static final long WAIT_STEP_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final AtomicInteger inside = new AtomicInteger();
    private volatile boolean closed;

    /** True if let in (then {@link #exit()} must follow); false once closed. */
    boolean enter() {
        // Counted before the flag is read, and close sets the flag before it reads the count: of
        // an entry and a close that overlap, at least one sees the other.
        inside.incrementAndGet();
        if (closed) {
            inside.decrementAndGet();
            return false;
        }
        return true;
    }

    void exit() {
        inside.decrementAndGet();
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Refuses from now on and waits, until the deadline ({@link System#nanoTime()}), for those
     * inside to leave (they never block, so this is short); true if none is left inside.
     */
    boolean close(long deadlineNanos) {
        closed = true;
        while (inside.get() > 0) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            LockSupport.parkNanos(WAIT_STEP_NANOS);
        }
        return true;
    }
}

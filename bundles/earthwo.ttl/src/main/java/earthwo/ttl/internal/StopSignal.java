package earthwo.ttl.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Tells the reaper thread and its pass to stop, and wakes the thread's pause. Used instead of an
 * interrupt: the thread may be inside a JE call, and an interrupt there invalidates the node's JE
 * environment.
 */
final class StopSignal {

    private final CountDownLatch latch = new CountDownLatch(1);

    void set() {
        latch.countDown();
    }

    boolean isSet() {
        return latch.getCount() == 0;
    }

    /** Pauses up to {@code millis}; true as soon as the signal is set (or the thread is interrupted). */
    boolean await(long millis) {
        try {
            return latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}

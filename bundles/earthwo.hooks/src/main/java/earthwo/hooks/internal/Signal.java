package earthwo.hooks.internal;

/**
 * Stop and pause of one hook's thread, and the wait that either ends. Used instead of an
 * interrupt: the thread reads and writes the store, and an interrupt that lands inside a JE call
 * invalidates the node's whole JE environment.
 */
final class Signal {

    private boolean stopped;
    private boolean abandoned;
    private boolean paused;
    /** Grows with every change, so a wait can tell that something changed while it slept. */
    private long changes;

    synchronized void stop() {
        stopped = true;
        changes++;
        notifyAll();
    }

    /**
     * Stops the thread and tells it that nobody waits for it any more: the component that started
     * it is gone (its store may be closed), so when a hook call it is stuck in returns, the thread
     * ends without touching anything.
     */
    synchronized void abandon() {
        abandoned = true;
        stop();
    }

    synchronized boolean isAbandoned() {
        return abandoned;
    }

    synchronized void setPaused(boolean p) {
        paused = p;
        changes++;
        notifyAll();
    }

    synchronized boolean isStopped() {
        return stopped;
    }

    synchronized boolean isPaused() {
        return paused;
    }

    /**
     * Waits up to {@code millis}; returns early, true, when the thread is stopped, paused or
     * resumed meanwhile, or interrupted.
     */
    synchronized boolean await(long millis) {
        long seen = changes;
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!stopped && changes == seen) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                // Not restored: this thread's next store call would meet it inside JE. Nothing of
                // this bundle interrupts it; a stray interrupt only ends this wait early.
                return true;
            }
        }
        return true;
    }
}

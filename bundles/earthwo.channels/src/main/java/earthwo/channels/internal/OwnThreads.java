package earthwo.channels.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the component's threads (daemon, named {@code earthwo-channels-<what>-<node>-<n>}) and
 * remembers them, so a stop can wait until each has really ended: an executor reports itself
 * terminated a moment before its threads are gone, and a thread that outlives a deactivate keeps
 * the old bundle's class loader alive.
 */
final class OwnThreads implements ThreadFactory {

    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    OwnThreads(String what, int nodeId) {
        this.prefix = "earthwo-channels-" + what + "-" + nodeId + "-";
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + count.incrementAndGet());
        t.setDaemon(true);
        threads.add(t);
        return t;
    }

    /** Waits for every thread made to end, until the deadline ({@link System#nanoTime()}); true if all did. */
    boolean joinAll(long deadlineNanos) throws InterruptedException {
        for (Thread t : threads) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, left / 1_000_000));
            }
        }
        return threads.stream().noneMatch(Thread::isAlive);
    }
}

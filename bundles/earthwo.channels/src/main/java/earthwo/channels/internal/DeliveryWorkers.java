package earthwo.channels.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that call subscribers' listeners, apart from publishers' and peer threads, so a
 * publish never waits for a listener. A subscription with something to deliver is queued here
 * once ({@link LocalSubscription#schedule()}) and runs a bounded turn, so busy subscriptions
 * take turns.
 */
final class DeliveryWorkers {

    private final ExecutorService threads;
    private final OwnThreads made;

    DeliveryWorkers(int count, int nodeId) {
        this.made = new OwnThreads("delivery", nodeId);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(count, count, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), made);
        // All at once: a node's threads are then the same whether or not a turn has needed them yet
        // (turns of listeners that never block mostly run on the publishing thread).
        pool.prestartAllCoreThreads();
        this.threads = pool;
    }

    /** Runs a turn; false once stopped. */
    boolean run(Runnable turn) {
        try {
            threads.execute(turn);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Lets the queued turns finish (the last calls of closed subscriptions) for up to
     * {@code waitMs}, then interrupts a listener still running. True if every thread ended.
     */
    boolean stop(long waitMs) throws InterruptedException {
        threads.shutdown();
        if (!threads.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
            threads.shutdownNow();
        }
        return made.joinAll(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs));
    }
}

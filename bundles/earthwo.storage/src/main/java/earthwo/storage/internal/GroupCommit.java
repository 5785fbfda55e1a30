package earthwo.storage.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Makes commits that were made without writing the log durable in groups: every caller of
 * {@link #next()} gets a future that completes after the next log write started after its call.
 * One thread does the writes; while it writes, new callers queue for the following write, so
 * under load one {@code write(2)} (or one fsync) covers all commits that arrived meanwhile, as
 * Redis' event loop writes its append-only file once per loop for all clients.
 *
 * <p>Bursts ({@link earthwo.api.storage.CommitBursts}): between {@link #beginBurst()} and
 * {@link #endBurst()} on one thread, {@code next()} on that thread only notes the future, and
 * {@code endBurst()} writes once for all of them and completes them on that thread, so an event
 * loop answers its writes without waking this thread or being woken by it.
 *
 * <p>{@link #close()} writes once more for whoever still waits, then stops the thread; callers
 * after close get a future failed with UNAVAILABLE.
 *
 * <p>A store that reopens its JE environment after a failure has one group commit per opening;
 * they share the record of open bursts ({@link Burst}), so a burst begun before a reopen and
 * ended after it is written, or failed, by the group commit of the environment it began in: a
 * write of the new environment's log says nothing about commits made in the old one.
 */
final class GroupCommit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** Writes JE's log buffer out: to the OS, or to the OS and the disk. */
    interface LogWriter {
        void write();
    }

    /** A burst open on a thread: the group commit it began in and the futures to complete at its end. */
    record Burst(GroupCommit owner, List<CompletableFuture<Void>> futures) {
    }

    private final LogWriter writer;
    private final LogWriter burstWriter;
    private final String name;
    private final Thread thread;
    /** The calling thread's open burst. Unset outside a burst. */
    private final ThreadLocal<Burst> bursts;
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private volatile boolean closed;

    final LongAdder groups = new LongAdder();
    final LongAdder commits = new LongAdder();
    /** Of {@link #groups}: the writes done at the end of a burst, on the burst's thread. */
    final LongAdder burstWrites = new LongAdder();

    /** Without bursts: every group is written by the group's own thread. */
    GroupCommit(String name, LogWriter writer) {
        this(name, writer, null, new ThreadLocal<>());
    }

    /**
     * @param writer      writes the log on the group commit thread
     * @param burstWriter writes the log at the end of a burst, on the burst's thread (one that
     *                    fails once the store is closing); null where bursts are not worth it
     *                    (a write is an fsync that must not stall an event loop)
     * @param bursts      the open bursts, shared by the group commits of one store
     */
    GroupCommit(String name, LogWriter writer, LogWriter burstWriter, ThreadLocal<Burst> bursts) {
        this.writer = writer;
        this.burstWriter = burstWriter;
        this.name = name;
        this.bursts = bursts;
        this.thread = new Thread(this::run, "earthwo-storage-group-commit");
        thread.setDaemon(true);
        thread.start();
    }

    /** A future that completes once everything committed before this call is written. */
    CompletableFuture<Void> next() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Burst open = bursts.get();
        if (open != null) {
            // The burst's group commit writes for it, even when this one is a newer environment's.
            if (!open.owner.closed) {
                open.futures.add(f);
            } else {
                f.completeExceptionally(closedError(open.owner));
            }
            return f;
        }
        synchronized (this) {
            if (closed) {
                f.completeExceptionally(closedError(this));
                return f;
            }
            waiting.add(f);
            if (waiting.size() == 1) {
                notifyAll();
            }
        }
        return f;
    }

    /**
     * Opens a burst on the calling thread unless one is open there already or bursts are off.
     *
     * @return true if this call opened it: the caller must call {@link #endBurst()} on this thread
     */
    boolean beginBurst() {
        if (burstWriter == null || closed || bursts.get() != null) {
            return false;
        }
        bursts.set(new Burst(this, new ArrayList<>()));
        return true;
    }

    /**
     * Ends the calling thread's burst, whichever group commit of the store it began in: one write
     * for its commits by that group commit, then their futures complete here. The thread keeps no
     * trace of the burst afterwards (no stale thread-local entry that would hold this bundle's
     * classes after an update).
     */
    void endBurst() {
        Burst open = bursts.get();
        if (open == null) {
            return;
        }
        bursts.remove();
        if (!open.futures.isEmpty()) {
            GroupCommit owner = open.owner;
            owner.burstWrites.increment();
            owner.writeFor(open.futures, owner.burstWriter);
        }
    }

    private static EarthwoException closedError(GroupCommit closed) {
        return new EarthwoException(ErrorCode.UNAVAILABLE, "storage is closed (" + closed.name + ")");
    }

    private void run() {
        while (true) {
            List<CompletableFuture<Void>> group;
            synchronized (this) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        closed = true;
                    }
                }
                if (waiting.isEmpty()) {
                    return; // closed, nobody left
                }
                group = waiting;
                waiting = new ArrayList<>();
            }
            writeFor(group, writer);
        }
    }

    private void writeFor(List<CompletableFuture<Void>> group, LogWriter with) {
        EarthwoException failure = null;
        try {
            with.write();
        } catch (RuntimeException e) {
            // A typed failure was logged where it was typed (the store's gate); a store closing
            // under a burst (bundle update) stays UNAVAILABLE, which clients retry.
            ErrorCode code = ErrorCode.INTERNAL;
            if (e instanceof EarthwoException typed) {
                code = typed.code();
            } else {
                LOG.error("storage {}: writing the log for {} commits failed", name, group.size(), e);
            }
            failure = new EarthwoException(code, "writing the log failed; the write may or may not be durable: "
                    + e.getMessage(), e);
        }
        groups.increment();
        commits.add(group.size());
        for (CompletableFuture<Void> f : group) {
            if (failure == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(failure);
            }
        }
    }

    /** Writes for whoever still waits, then stops the thread. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("storage {}: the group commit thread did not stop within 30 s", name);
        }
    }
}

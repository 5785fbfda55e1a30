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
 * <p>{@link #close()} writes once more for whoever still waits, then stops the thread; callers
 * after close get a future failed with UNAVAILABLE.
 */
final class GroupCommit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** Writes JE's log buffer out: to the OS, or to the OS and the disk. */
    interface LogWriter {
        void write();
    }

    private final LogWriter writer;
    private final String name;
    private final Thread thread;
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private boolean closed;

    final LongAdder groups = new LongAdder();
    final LongAdder commits = new LongAdder();

    GroupCommit(String name, LogWriter writer) {
        this.writer = writer;
        this.name = name;
        this.thread = new Thread(this::run, "earthwo-storage-group-commit");
        thread.setDaemon(true);
        thread.start();
    }

    /** A future that completes once everything committed before this call is written. */
    CompletableFuture<Void> next() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                f.completeExceptionally(new EarthwoException(ErrorCode.UNAVAILABLE, "storage is closed (" + name + ")"));
                return f;
            }
            waiting.add(f);
            if (waiting.size() == 1) {
                notifyAll();
            }
        }
        return f;
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
            writeFor(group);
        }
    }

    private void writeFor(List<CompletableFuture<Void>> group) {
        RuntimeException failure = null;
        try {
            writer.write();
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("storage {}: writing the log for {} commits failed", name, group.size(), e);
        }
        groups.increment();
        commits.add(group.size());
        for (CompletableFuture<Void> f : group) {
            if (failure == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(new EarthwoException(ErrorCode.INTERNAL,
                        "writing the log failed; the write may or may not be durable: " + failure.getMessage(), failure));
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

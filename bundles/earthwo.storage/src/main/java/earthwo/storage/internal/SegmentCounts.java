package earthwo.storage.internal;

import com.sleepycat.je.Database;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Per segment, its record count and the number of changes made since the store opened. A
 * segment is counted once, by walking its JE database when the count is first asked for; from
 * then on every committed write adjusts the count, so asking again costs nothing.
 */
final class SegmentCounts {

    /** Record count per segment; -1 until first counted, then kept up to date by writes. */
    private final AtomicLongArray counts;
    /** Per segment, changes made since this store was opened ({@link #changeCount}). */
    private final AtomicLongArray changes;
    /**
     * Per segment, while its count is unknown: writes that may change the count hold the read
     * lock from commit to adjustment, the first count holds the write lock while it walks the
     * segment, so a write is either in that walk or adjusts the stored count, never both or neither.
     */
    private final ReadWriteLock[] countGates;

    SegmentCounts(int segments) {
        this.counts = new AtomicLongArray(segments);
        this.changes = new AtomicLongArray(segments);
        this.countGates = new ReadWriteLock[segments];
        for (int i = 0; i < segments; i++) {
            counts.set(i, -1);
            countGates[i] = new ReentrantReadWriteLock();
        }
    }

    /** The segment's record count; the first call walks {@code db}, the segment's database. */
    long count(int segment, Database db) {
        long n = counts.get(segment);
        if (n >= 0) {
            return n;
        }
        Lock counting = countGates[segment].writeLock();
        counting.lock();
        try {
            n = counts.get(segment);
            if (n < 0) {
                n = db.count();
                counts.set(segment, n);
            }
            return n;
        } finally {
            counting.unlock();
        }
    }

    long changeCount(int segment) {
        return changes.get(segment);
    }

    /**
     * Runs a write that may change the segment's record count. Once the count is known the write
     * adjusts it itself; before, it must not commit during the first count (see countGates).
     */
    <T> T countedWrite(int segment, Supplier<T> write) {
        if (counts.get(segment) >= 0) {
            return write.get();
        }
        Lock writing = countGates[segment].readLock();
        writing.lock();
        try {
            return write.get();
        } finally {
            writing.unlock();
        }
    }

    /**
     * After the store reopened its environment (no operation runs meanwhile): every segment is
     * counted again on first use, since the failed environment may have lost deferred commits
     * already counted and kept commits that failed, and every segment counts as changed, so that
     * whoever compares change counts (anti-entropy) looks at it again.
     */
    void reopened() {
        for (int i = 0; i < counts.length(); i++) {
            counts.set(i, -1);
            changes.incrementAndGet(i);
        }
    }

    /** After a committed change of the segment: the change count grows, the record count moves by {@code countDelta}. */
    void changed(int segment, long countDelta) {
        changes.incrementAndGet(segment);
        if (countDelta != 0) {
            adjustCount(segment, countDelta);
        }
    }

    private void adjustCount(int segment, long delta) {
        long n;
        do {
            n = counts.get(segment);
            if (n < 0) {
                return;
            }
        } while (!counts.compareAndSet(segment, n, Math.max(0, n + delta)));
    }
}

package earthwo.storage.internal;

import earthwo.api.EarthwoException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Loads the records of a reopened store into its record cache, in the background, segment by
 * segment, so that the node answers reads at its warm speed seconds after a restart instead of
 * reading each key once from JE's log (JE keeps no records in its own cache while the record
 * cache is on), and so that loaded segments become complete again (a key the cache does not hold
 * is then known to be absent without a B-tree search).
 *
 * <p>It stops once the cache is three quarters full, or has evicted anything since the load began
 * (a stripe full before the others): loading more would only evict what it loaded, and would
 * leave no room for the writes that follow. A segment whose load could not cache
 * every record (a record too large, an eviction, a write racing its fill three times) stays
 * incomplete and is served as before, from JE on a miss. Requests run meanwhile: a read that
 * misses reads JE and fills the cache as usual.
 *
 * <p>One thread, started by the store after it opens and stopped (and joined) by the store's
 * close before anything else closes.
 */
final class RecordCacheWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(RecordCacheWarmup.class);
    /** Records read per step; the store's cursor is closed between steps. */
    static final int BATCH = 1_000;
    /** Share of the cache's capacity after which no further segment is loaded. */
    private static final double FULL = 0.75;

    enum State {
        RUNNING, DONE, CACHE_FULL, STOPPED, FAILED;

        /** As the node's status and log show it: "running", "cache full", ... */
        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** What the store does for the warm-up: one step of a segment's load. */
    interface Loader {
        /**
         * Fills the cache with up to {@code max} records of {@code segment} after key
         * {@code after} (null: from the segment's first key).
         */
        Step load(int segment, byte[] after, int max);
    }

    /** One step of a segment's load: the last key walked (null at the segment's end) and what was cached. */
    record Step(byte[] lastKey, int cached, boolean everyRecordCached) {
    }

    private final String store;
    private final RecordCache cache;
    private final int segments;
    private final Loader loader;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile State state = State.RUNNING;
    final LongAdder records = new LongAdder();
    final LongAdder completedSegments = new LongAdder();
    private volatile long millis = -1;
    private long evictionsAtStart;

    RecordCacheWarmup(String store, RecordCache cache, int segments, Loader loader) {
        this.store = store;
        this.cache = cache;
        this.segments = segments;
        this.loader = loader;
        this.thread = new Thread(this::run, "earthwo-record-cache-warmup");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops the load and waits for its current step to end. */
    void stop() {
        stopping = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    State state() {
        return state;
    }

    /** How long the load took, or -1 while it runs. */
    long millis() {
        return millis;
    }

    private void run() {
        long start = System.nanoTime();
        State end = State.DONE;
        try {
            evictionsAtStart = cache.stats().evictions();
            for (int segment = 0; segment < segments && end == State.DONE; segment++) {
                if (cacheIsFull()) {
                    end = State.CACHE_FULL;
                } else if (cache.beginLoad(segment)) {
                    end = loadSegment(segment);
                }
            }
        } catch (EarthwoException e) {
            end = stopping ? State.STOPPED : State.FAILED;
            if (!stopping) {
                LOG.warn("storage {}: record cache warm-up failed; reads of uncached keys go to JE: {}", store, e.getMessage());
            }
        } catch (RuntimeException e) {
            end = State.FAILED;
            LOG.warn("storage {}: record cache warm-up failed; reads of uncached keys go to JE", store, e);
        }
        millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        state = end;
        LOG.info("storage {}: record cache warm-up {} after {} ms: {} records, {} segments made complete", store,
                end.label(), millis, records.sum(), completedSegments.sum());
    }

    /**
     * Loads one segment; returns DONE to go on with the next one, or the state the whole
     * warm-up ends in. The segment becomes complete only if the load walked it to its end and
     * cached every record (and the cache dropped none of them meanwhile, see {@link RecordCache#endLoad}).
     */
    private State loadSegment(int segment) {
        boolean walkedToEnd = false;
        boolean everyRecordCached = true;
        try {
            byte[] after = null;
            while (!walkedToEnd) {
                if (stopping) {
                    return State.STOPPED;
                }
                if (cacheIsFull()) {
                    return State.CACHE_FULL;
                }
                Step step = loader.load(segment, after, BATCH);
                records.add(step.cached());
                everyRecordCached &= step.everyRecordCached();
                after = step.lastKey();
                walkedToEnd = after == null;
            }
            return State.DONE;
        } finally {
            if (cache.endLoad(segment, walkedToEnd && everyRecordCached)) {
                completedSegments.increment();
            }
        }
    }

    private boolean cacheIsFull() {
        RecordCache.Stats s = cache.stats();
        return s.usedBytes() > s.capacityBytes() * FULL || s.evictions() > evictionsAtStart;
    }
}

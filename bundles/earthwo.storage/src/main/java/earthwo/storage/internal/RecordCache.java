package earthwo.storage.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The stored form of recently read and written keys, kept in front of JE so that a read which
 * finds its key here does not search JE's B-tree. It holds, per (segment, key), exactly what JE
 * holds: the JE data of the record ({@link RecordCodec}) or the fact that JE has no record of the
 * key ({@link #ABSENT}). A key it does not know about is simply not cached.
 *
 * <h2>Keeping it equal to JE</h2>
 * The store tells it every change while it holds the key's record lock, just before the commit:
 * {@link #stored} for an applied write, {@link #purged} for a purge; {@link #invalidate} when a
 * write failed and its outcome is unknown. So the cache learns the changes of a key in JE's
 * order, and a writer holding the lock may take the current record from it ({@link #peek}).
 * {@link #stored} still keeps the newer of two versions, as JE's last-writer-wins apply does,
 * should two reports ever cross. A read that missed
 * takes a {@link #ticket} before it reads JE and offers what it read with {@link #fill}, which is
 * dropped if any change touched the key's stripe since the ticket: the read may have seen the
 * store before that change.
 *
 * <h2>Complete segments</h2>
 * A segment is complete while the cache holds every record JE holds for it: from the store's
 * open, if the segment was empty then, or from the end of a load that cached each of its records
 * ({@link #beginLoad}, {@link #endLoad}), until the cache first drops one of its records (evicted,
 * too large to cache, or a failed write). A key of a complete segment that is not cached is
 * absent from JE too, so such reads need not search JE. Every event that ends completeness for a
 * key happens under the lock of that key's stripe, the lock its readers take; it also ends a load
 * in progress, so a load cannot declare complete a segment that lost a record meanwhile.
 *
 * <h2>Memory</h2>
 * Entries live in a few large {@code byte[]} rings and are found through {@code long[]} open
 * addressing tables, so a million cached records are a few hundred arrays for the garbage
 * collector, not millions of objects (which, as the JE cache already does, would add to what
 * G1 scans and refines). A stripe's ring starts small and doubles up to its share of the
 * capacity; then the oldest entries make room (first in, first out). A change appends a new
 * entry and forgets the old one, whose bytes are reclaimed when the ring's head passes them.
 *
 * <p>Thread-safe: one lock per stripe (64 stripes, chosen by the key's hash).
 */
final class RecordCache {

    /** What {@link #get} returns for a key that JE has no record of. */
    static final byte[] ABSENT = new byte[0];

    static final int STRIPES = 64;
    private static final int STRIPE_SHIFT = Long.SIZE - Integer.numberOfTrailingZeros(STRIPES);
    /** The smallest capacity: four first-size rings per stripe. */
    static final long MIN_CAPACITY_BYTES = STRIPES * 4L * RecordCacheStripe.FIRST_RING_BYTES;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** States of a segment in {@link #complete}; a stripe sets INCOMPLETE when it drops a record. */
    static final int INCOMPLETE = 0;
    private static final int COMPLETE = 1;
    private static final int LOADING = 2;

    private final RecordCacheStripe[] stripes = new RecordCacheStripe[STRIPES];
    /** Per segment, {@link #COMPLETE}, {@link #LOADING} or {@link #INCOMPLETE} (see the class comment). */
    private final AtomicIntegerArray complete;
    private final long capacityBytes;
    /** Per instance, so that clients cannot choose keys that all probe the same slots. */
    private final long seed = ThreadLocalRandom.current().nextLong();

    /**
     * @param capacityBytes the most the rings may hold together (at least
     *        {@link #MIN_CAPACITY_BYTES}); entries larger than an eighth of a stripe's share are not cached
     * @param segments the store's segment count; none is complete until {@link #markComplete}
     */
    RecordCache(long capacityBytes, int segments) {
        int stripeMax = (int) Math.min(1 << 30, Integer.highestOneBit((int) Math.min(Integer.MAX_VALUE, capacityBytes / STRIPES)));
        if (capacityBytes < MIN_CAPACITY_BYTES) {
            throw new IllegalArgumentException("a record cache needs at least " + MIN_CAPACITY_BYTES + " bytes, not " + capacityBytes);
        }
        this.capacityBytes = (long) stripeMax * STRIPES;
        this.complete = new AtomicIntegerArray(segments);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new RecordCacheStripe(stripeMax, complete);
        }
    }

    /** Declares that JE holds no record of the segment (called before the store serves it). */
    void markComplete(int segment) {
        complete.set(segment, COMPLETE);
    }

    boolean isComplete(int segment) {
        return complete.get(segment) == COMPLETE;
    }

    /**
     * Starts a load of an incomplete segment: its loader will {@link #fill} each record JE holds
     * for it. False if the segment is complete already (or being loaded).
     */
    boolean beginLoad(int segment) {
        return complete.compareAndSet(segment, INCOMPLETE, LOADING);
    }

    /**
     * Ends a load begun by {@link #beginLoad}. The segment becomes complete if the loader cached
     * every record it walked ({@code everyRecordCached}) and no record of the segment was dropped
     * since the load began; returns whether it did.
     */
    boolean endLoad(int segment, boolean everyRecordCached) {
        return complete.compareAndSet(segment, LOADING, everyRecordCached ? COMPLETE : INCOMPLETE) && everyRecordCached;
    }

    /** The JE data cached for the key (a copy), {@link #ABSENT}, or null when the key is not cached. */
    byte[] get(int segment, byte[] key) {
        return lookup(segment, key, true);
    }

    /** As {@link #get}, for a writer holding the key's record lock; not counted as a read. */
    byte[] peek(int segment, byte[] key) {
        return lookup(segment, key, false);
    }

    private byte[] lookup(int segment, byte[] key, boolean countRead) {
        long h = hash(segment, key);
        RecordCacheStripe s = stripe(h);
        synchronized (s) {
            int slot = s.find((int) h, segment, key);
            if (slot < 0) {
                boolean known = complete.get(segment) == COMPLETE;
                if (countRead) {
                    if (known) {
                        s.knownAbsent++;
                    } else {
                        s.misses++;
                    }
                }
                return known ? ABSENT : null;
            }
            if (countRead) {
                s.hits++;
            }
            return s.dataAt(slot, key.length);
        }
    }

    /** Taken before a read of JE whose outcome will be offered to {@link #fill}. */
    long ticket(int segment, byte[] key) {
        return stripe(hash(segment, key)).changes;
    }

    /**
     * Caches what a read found in JE ({@code data}, or null for no record) unless the key is
     * cached already or a change touched its stripe since {@code ticket}. Returns whether the
     * key is cached now (false: the fill was dropped, or the record is too large to cache).
     */
    boolean fill(int segment, byte[] key, byte[] data, long ticket) {
        long h = hash(segment, key);
        RecordCacheStripe s = stripe(h);
        synchronized (s) {
            if (s.find((int) h, segment, key) >= 0) {
                return true;
            }
            return s.changes == ticket && s.append((int) h, segment, key, data);
        }
    }

    /** A write stores {@code data} (JE data with its version) for the key; told under its record lock, before the commit. */
    void stored(int segment, byte[] key, byte[] data) {
        long h = hash(segment, key);
        RecordCacheStripe s = stripe(h);
        synchronized (s) {
            s.changes++;
            int slot = s.find((int) h, segment, key);
            if (slot >= 0) {
                if (s.compareVersions(slot, key.length, data) > 0) {
                    return; // a newer write of the key was reported first
                }
                s.remove(slot);
            }
            s.append((int) h, segment, key, data);
        }
    }

    /** A purge removed the key's record, which had the version stored in {@code data}. */
    void purged(int segment, byte[] key, byte[] data) {
        long h = hash(segment, key);
        RecordCacheStripe s = stripe(h);
        synchronized (s) {
            s.changes++;
            int slot = s.find((int) h, segment, key);
            if (slot >= 0 && s.compareVersions(slot, key.length, data) == 0) {
                s.remove(slot);
            }
        }
    }

    /** Forgets the key: a write of it failed and JE's state is not known. */
    void invalidate(int segment, byte[] key) {
        long h = hash(segment, key);
        RecordCacheStripe s = stripe(h);
        synchronized (s) {
            s.changes++;
            complete.set(segment, INCOMPLETE);
            int slot = s.find((int) h, segment, key);
            if (slot >= 0) {
                s.remove(slot);
            }
        }
    }

    /** Counters and sizes for the node's status. */
    Stats stats() {
        long hits = 0;
        long knownAbsent = 0;
        long misses = 0;
        long evictions = 0;
        long entries = 0;
        long ringBytes = 0;
        long usedBytes = 0;
        for (RecordCacheStripe s : stripes) {
            synchronized (s) {
                hits += s.hits;
                knownAbsent += s.knownAbsent;
                misses += s.misses;
                evictions += s.evictions;
                entries += s.entries;
                ringBytes += s.ring.length;
                usedBytes += s.tail - s.head;
            }
        }
        int completeSegments = 0;
        for (int i = 0; i < complete.length(); i++) {
            completeSegments += complete.get(i) == COMPLETE ? 1 : 0;
        }
        return new Stats(capacityBytes, ringBytes, usedBytes, entries, hits, knownAbsent, misses, evictions, completeSegments);
    }

    /**
     * @param usedBytes bytes of the rings between their oldest and newest entries (replaced
     *        entries included until the oldest passes them)
     * @param hits reads answered from a cached entry
     * @param knownAbsent reads of uncached keys of complete segments (answered "absent" without JE)
     * @param misses reads that went to JE
     */
    record Stats(long capacityBytes, long allocatedBytes, long usedBytes, long entries, long hits, long knownAbsent, long misses,
                 long evictions, int completeSegments) {
    }

    private RecordCacheStripe stripe(long hash) {
        return stripes[(int) (hash >>> STRIPE_SHIFT)];
    }

    private long hash(int segment, byte[] key) {
        long h = seed ^ (segment * 0x9E3779B97F4A7C15L);
        int i = 0;
        for (; i + Long.BYTES <= key.length; i += Long.BYTES) {
            h = (h ^ (long) LONG.get(key, i)) * 0xff51afd7ed558ccdL;
            h ^= h >>> 29;
        }
        for (; i < key.length; i++) {
            h = (h ^ key[i]) * 0x100000001b3L;
        }
        h ^= key.length;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}

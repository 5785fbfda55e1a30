package earthwo.storage.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
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
    private static final int FIRST_RING_BYTES = 16 * 1024;
    /** The smallest capacity: four first-size rings per stripe. */
    static final long MIN_CAPACITY_BYTES = STRIPES * 4L * FIRST_RING_BYTES;
    private static final int FIRST_SLOTS = 256;

    /** Entry header: length, hash, segment, key length, data length (-1: absent). */
    static final int ENTRY_HEADER = 20;
    private static final int LEN = 0;
    private static final int HASH = 4;
    private static final int SEGMENT = 8;
    private static final int KEY_LEN = 12;
    private static final int DATA_LEN = 16;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** States of a segment in {@link #complete}. */
    private static final int INCOMPLETE = 0;
    private static final int COMPLETE = 1;
    private static final int LOADING = 2;

    private final Stripe[] stripes = new Stripe[STRIPES];
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
            stripes[i] = new Stripe(stripeMax, complete);
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
        Stripe s = stripe(h);
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
            int at = s.entryAt(slot);
            int dataLen = s.readInt(at + DATA_LEN);
            if (dataLen < 0) {
                return ABSENT;
            }
            int from = at + ENTRY_HEADER + key.length;
            return Arrays.copyOfRange(s.ring, from, from + dataLen);
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
        Stripe s = stripe(h);
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
        Stripe s = stripe(h);
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
        Stripe s = stripe(h);
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
        Stripe s = stripe(h);
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
        for (Stripe s : stripes) {
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

    private Stripe stripe(long hash) {
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

    /**
     * One ring of entries and its index. Positions in the ring ({@code head}, {@code tail}) grow
     * without bound; an entry lies at {@code position & (ring.length - 1)} and never wraps: the
     * bytes left before the ring's end are skipped (a negative length marks them when it fits).
     * An index slot is {@code hash << 32 | (offset + 1)}; 0 is an empty slot.
     */
    private static final class Stripe {
        private final int maxRingBytes;
        private final AtomicIntegerArray complete;
        byte[] ring = new byte[FIRST_RING_BYTES];
        long head;
        long tail;
        long[] slots = new long[FIRST_SLOTS];
        int entries;
        /** Changes reported for this stripe; read without the lock by {@link #ticket}. */
        volatile long changes;
        long hits;
        long knownAbsent;
        long misses;
        long evictions;

        Stripe(int maxRingBytes, AtomicIntegerArray complete) {
            this.maxRingBytes = maxRingBytes;
            this.complete = complete;
        }

        int readInt(int at) {
            return (int) INT.get(ring, at);
        }

        int entryAt(int slot) {
            return (int) slots[slot] - 1;
        }

        /**
         * Compares the version of the data cached in {@code slot} (key of {@code keyLength}
         * bytes) with that of {@code data}: positive when the cached one is newer. A cached
         * absence is older than any record.
         */
        int compareVersions(int slot, int keyLength, byte[] data) {
            int at = entryAt(slot);
            if (readInt(at + DATA_LEN) < 0) {
                return -1;
            }
            return RecordCodec.compareVersions(ring, at + ENTRY_HEADER + keyLength, data);
        }

        /** The slot of the key's entry, or -1. */
        int find(int hash, int segment, byte[] key) {
            int mask = slots.length - 1;
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                long s = slots[i];
                if (s == 0) {
                    return -1;
                }
                if ((int) (s >>> 32) == hash) {
                    int at = (int) s - 1;
                    if (readInt(at + SEGMENT) == segment && readInt(at + KEY_LEN) == key.length
                            && Arrays.equals(ring, at + ENTRY_HEADER, at + ENTRY_HEADER + key.length, key, 0, key.length)) {
                        return i;
                    }
                }
            }
        }

        /** Appends an entry (the key must not be cached); false, and nothing cached, if it is too large to cache. */
        boolean append(int hash, int segment, byte[] key, byte[] data) {
            int dataLen = data == null ? -1 : data.length;
            long size = (long) ENTRY_HEADER + key.length + Math.max(0, dataLen);
            if (size > maxRingBytes / 8) {
                if (data != null) {
                    complete.set(segment, INCOMPLETE);
                }
                return false;
            }
            int at = makeRoom((int) size);
            INT.set(ring, at + LEN, (int) size);
            INT.set(ring, at + HASH, hash);
            INT.set(ring, at + SEGMENT, segment);
            INT.set(ring, at + KEY_LEN, key.length);
            INT.set(ring, at + DATA_LEN, dataLen);
            System.arraycopy(key, 0, ring, at + ENTRY_HEADER, key.length);
            if (data != null) {
                System.arraycopy(data, 0, ring, at + ENTRY_HEADER + key.length, data.length);
            }
            tail += size;
            if (entries + 1 > slots.length / 2) {
                resizeIndex(slots.length * 2);
            }
            insertSlot(((long) hash << 32) | (at + 1L));
            entries++;
            return true;
        }

        /** Frees {@code size} contiguous bytes at the tail (growing the ring or evicting) and returns their offset. */
        private int makeRoom(int size) {
            while (true) {
                int cap = ring.length;
                int at = (int) (tail & (cap - 1));
                int skip = at + size > cap ? cap - at : 0;
                if (tail + skip + size - head <= cap) {
                    if (skip > 0) {
                        if (skip >= Integer.BYTES) {
                            INT.set(ring, at, -skip);
                        }
                        tail += skip;
                        at = 0;
                    }
                    return at;
                }
                if (cap < maxRingBytes) {
                    grow();
                } else {
                    evictOldest();
                }
            }
        }

        private void evictOldest() {
            int cap = ring.length;
            int at = (int) (head & (cap - 1));
            if (cap - at < Integer.BYTES) {
                head += cap - at;
                return;
            }
            int len = readInt(at + LEN);
            if (len < 0) {
                head += -len;
                return;
            }
            int slot = slotOf(readInt(at + HASH), at);
            if (slot >= 0) {
                if (readInt(at + DATA_LEN) >= 0) {
                    complete.set(readInt(at + SEGMENT), INCOMPLETE);
                }
                removeSlot(slot);
                entries--;
                evictions++;
            }
            head += len;
        }

        /** The slot pointing at the entry at {@code at}, or -1 when that entry was replaced or removed. */
        private int slotOf(int hash, int at) {
            long wanted = ((long) hash << 32) | (at + 1L);
            int mask = slots.length - 1;
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                long s = slots[i];
                if (s == 0) {
                    return -1;
                }
                if (s == wanted) {
                    return i;
                }
            }
        }

        /** Doubles the ring, copying the live entries to its start (the dead ones are dropped). */
        private void grow() {
            byte[] old = ring;
            byte[] bigger = new byte[old.length * 2];
            int to = 0;
            for (int i = 0; i < slots.length; i++) {
                long s = slots[i];
                if (s != 0) {
                    int from = (int) s - 1;
                    int len = (int) INT.get(old, from + LEN);
                    System.arraycopy(old, from, bigger, to, len);
                    slots[i] = (s & 0xFFFF_FFFF_0000_0000L) | (to + 1L);
                    to += len;
                }
            }
            ring = bigger;
            head = 0;
            tail = to;
        }

        void remove(int slot) {
            removeSlot(slot);
            entries--;
        }

        private void insertSlot(long s) {
            int mask = slots.length - 1;
            int i = (int) (s >>> 32) & mask;
            while (slots[i] != 0) {
                i = (i + 1) & mask;
            }
            slots[i] = s;
        }

        /** Empties a slot and moves later slots of the same probe run back, so that lookups still find them. */
        private void removeSlot(int hole) {
            int mask = slots.length - 1;
            slots[hole] = 0;
            for (int j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
                int home = (int) (slots[j] >>> 32) & mask;
                if (((j - home) & mask) >= ((j - hole) & mask)) {
                    slots[hole] = slots[j];
                    slots[j] = 0;
                    hole = j;
                }
            }
        }

        private void resizeIndex(int size) {
            long[] old = slots;
            slots = new long[size];
            for (long s : old) {
                if (s != 0) {
                    insertSlot(s);
                }
            }
        }
    }
}

package earthwo.storage.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One stripe of the {@link RecordCache}: a ring of entries and its index, with the stripe's
 * counters. Not thread-safe by itself: the cache holds the stripe's monitor around every use.
 *
 * <p>Positions in the ring ({@code head}, {@code tail}) grow without bound; an entry lies at
 * {@code position & (ring.length - 1)} and never wraps: the bytes left before the ring's end are
 * skipped (a negative length marks them when it fits). An index slot is
 * {@code hash << 32 | (offset + 1)}; 0 is an empty slot.
 */
final class RecordCacheStripe {

    static final int FIRST_RING_BYTES = 16 * 1024;
    private static final int FIRST_SLOTS = 256;

    /** Entry header: length, hash, segment, key length, data length (-1: absent). */
    private static final int ENTRY_HEADER = 20;
    private static final int LEN = 0;
    private static final int HASH = 4;
    private static final int SEGMENT = 8;
    private static final int KEY_LEN = 12;
    private static final int DATA_LEN = 16;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final int maxRingBytes;
    private final AtomicIntegerArray complete;
    byte[] ring = new byte[FIRST_RING_BYTES];
    long head;
    long tail;
    long[] slots = new long[FIRST_SLOTS];
    int entries;
    /** Changes reported for this stripe; read without the lock by {@link RecordCache#ticket}. */
    volatile long changes;
    long hits;
    long knownAbsent;
    long misses;
    long evictions;

    RecordCacheStripe(int maxRingBytes, AtomicIntegerArray complete) {
        this.maxRingBytes = maxRingBytes;
        this.complete = complete;
    }

    private int readInt(int at) {
        return (int) INT.get(ring, at);
    }

    private int entryAt(int slot) {
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

    /**
     * The JE data of the entry in {@code slot} (key of {@code keyLength} bytes): a copy, or
     * {@link RecordCache#ABSENT} when the entry records that JE has no record of the key.
     */
    byte[] dataAt(int slot, int keyLength) {
        int at = entryAt(slot);
        int dataLen = readInt(at + DATA_LEN);
        if (dataLen < 0) {
            return RecordCache.ABSENT;
        }
        int from = at + ENTRY_HEADER + keyLength;
        return Arrays.copyOfRange(ring, from, from + dataLen);
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
                complete.set(segment, RecordCache.INCOMPLETE);
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
                complete.set(readInt(at + SEGMENT), RecordCache.INCOMPLETE);
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

package earthwo.replication.internal.antientropy;

import earthwo.api.Record;
import earthwo.api.storage.SegmentStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A snapshot of one segment's (keyHash, version) pairs sorted by unsigned key hash, built in one
 * scan of the store. Every tree node is a contiguous range of it, so digests, counts and listings
 * of any node come from a binary search and a walk over that node's records only.
 */
final class SegmentIndex {

    static final int SCAN_PAGE = 4096;

    final int segment;
    final long builtAt;
    private final long[] keyHashes;
    private final long[] timestamps;
    private final int[] nodeIds;
    /** Tombstones whose version is older than the cutoff given to {@link #build}. */
    final List<Record> oldTombstones;

    private SegmentIndex(int segment, long builtAt, long[] kh, long[] ts, int[] nd, List<Record> oldTombstones) {
        this.segment = segment;
        this.builtAt = builtAt;
        this.keyHashes = kh;
        this.timestamps = ts;
        this.nodeIds = nd;
        this.oldTombstones = oldTombstones;
    }

    /**
     * Scans the segment once.
     *
     * @param tombstoneCutoffMillis tombstones whose version's wall clock is below it are collected
     *                              in {@link #oldTombstones} (0 = collect none)
     */
    static SegmentIndex build(SegmentStore store, int segment, long tombstoneCutoffMillis, long now) {
        int cap = (int) Math.min(Math.max(store.count(segment) + 16, 16), 1 << 24);
        long[] kh = new long[cap];
        long[] ts = new long[cap];
        int[] nd = new int[cap];
        int n = 0;
        List<Record> old = new ArrayList<>();
        byte[] after = null;
        byte[] empty = new byte[0];
        while (true) {
            List<Record> page = store.scan(segment, empty, after, SCAN_PAGE);
            for (Record r : page) {
                if (n == kh.length) {
                    int grown = kh.length * 2;
                    kh = Arrays.copyOf(kh, grown);
                    ts = Arrays.copyOf(ts, grown);
                    nd = Arrays.copyOf(nd, grown);
                }
                kh[n] = Hashing.keyHash(r.key());
                ts[n] = r.version().timestamp();
                nd[n] = r.version().nodeId();
                n++;
                if (r.isTombstone() && r.version().wallMillis() < tombstoneCutoffMillis) {
                    old.add(r);
                }
            }
            if (page.size() < SCAN_PAGE) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        return sorted(segment, now, kh, ts, nd, n, old);
    }

    /** Sorts the parallel arrays by unsigned key hash. */
    static SegmentIndex sorted(int segment, long now, long[] kh, long[] ts, int[] nd, int n, List<Record> old) {
        long[] k2 = new long[n];
        long[] t2 = new long[n];
        int[] n2 = new int[n];
        if (n > 0) {
            if (n < (1 << 24)) {
                // Pack the top 40 bits of the hash and a 24-bit index, sort primitives, then fix the
                // (rare) order among equal 40-bit prefixes with an insertion pass.
                long[] packed = new long[n];
                for (int i = 0; i < n; i++) {
                    packed[i] = (((kh[i] >>> 24) << 24) | i) ^ Long.MIN_VALUE;
                }
                Arrays.sort(packed);
                for (int i = 0; i < n; i++) {
                    int src = (int) ((packed[i] ^ Long.MIN_VALUE) & 0xffffff);
                    k2[i] = kh[src];
                    t2[i] = ts[src];
                    n2[i] = nd[src];
                }
                for (int i = 1; i < n; i++) {
                    int j = i;
                    while (j > 0 && Long.compareUnsigned(k2[j - 1], k2[j]) > 0) {
                        swap(k2, t2, n2, j - 1, j);
                        j--;
                    }
                }
            } else {
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                final long[] keys = kh;
                Arrays.sort(order, (a, b) -> Long.compareUnsigned(keys[a], keys[b]));
                for (int i = 0; i < n; i++) {
                    k2[i] = kh[order[i]];
                    t2[i] = ts[order[i]];
                    n2[i] = nd[order[i]];
                }
            }
        }
        return new SegmentIndex(segment, now, k2, t2, n2, old);
    }

    private static void swap(long[] k, long[] t, int[] d, int a, int b) {
        long x = k[a];
        k[a] = k[b];
        k[b] = x;
        x = t[a];
        t[a] = t[b];
        t[b] = x;
        int y = d[a];
        d[a] = d[b];
        d[b] = y;
    }

    int size() {
        return keyHashes.length;
    }

    long keyHash(int i) {
        return keyHashes[i];
    }

    long timestamp(int i) {
        return timestamps[i];
    }

    int nodeId(int i) {
        return nodeIds[i];
    }

    /** First index whose node at {@code level} is not below {@code id}. */
    private int lowerBound(int level, long id) {
        int lo = 0;
        int hi = keyHashes.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(Hashing.nodeOf(keyHashes[mid], level), id) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** [from, to) of the records under node (level, id). */
    int[] range(int level, long id) {
        if (level == 0) {
            return new int[] {0, keyHashes.length};
        }
        int from = lowerBound(level, id);
        int to = from;
        while (to < keyHashes.length && Hashing.nodeOf(keyHashes[to], level) == id) {
            to++;
        }
        return new int[] {from, to};
    }

    /**
     * Digest and count of each of the {@link Hashing#FANOUT} children of node (level, id):
     * {@code out[2*i]} digest, {@code out[2*i+1]} count.
     */
    int[] children(int level, long id, long salt) {
        int[] r = range(level, id);
        long[] sums = new long[Hashing.FANOUT];
        int[] out = new int[2 * Hashing.FANOUT];
        for (int i = r[0]; i < r[1]; i++) {
            int child = (int) (Hashing.nodeOf(keyHashes[i], level + 1) & (Hashing.FANOUT - 1));
            sums[child] += Hashing.recordHash(keyHashes[i], timestamps[i], nodeIds[i], salt);
            out[2 * child + 1]++;
        }
        for (int c = 0; c < Hashing.FANOUT; c++) {
            out[2 * c] = (int) sums[c];
        }
        return out;
    }
}

package earthwo.replication.internal.antientropy;

/**
 * The hashes of the anti-entropy tree (WIRE-PROTOCOL.md, "anti-entropy"). Both sides must compute
 * them bit for bit alike: they are part of the wire protocol.
 *
 * <ul>
 *   <li>{@link #keyHash}: 64-bit FNV-1a of the key bytes, then the murmur3 fmix64 finalizer of
 *       (fnv ^ length). A key's place in the tree: the node at level {@code l} (1..16) is
 *       {@code keyHash >>> (64 - 4l)} (fan-out 16, 4 bits per level, unsigned).</li>
 *   <li>{@link #recordHash}: what a record contributes to the digest of every node above it:
 *       {@code fmix64(keyHash ^ salt ^ fmix64(timestamp + 0x9E3779B97F4A7C15 * (nodeId + 1)))}. The
 *       salt is chosen by the initiator per pass, so a 32-bit digest collision cannot hide the same
 *       divergence twice.</li>
 *   <li>A node's digest: the low 32 bits of the sum (mod 2^64) of the record hashes under it —
 *       order-independent, computed in one scan.</li>
 * </ul>
 */
final class Hashing {

    /** Bits of the key hash consumed per tree level. */
    static final int BITS_PER_LEVEL = 4;
    /** Children per node. */
    static final int FANOUT = 1 << BITS_PER_LEVEL;
    /** Deepest level: one key hash per node. */
    static final int MAX_LEVEL = 64 / BITS_PER_LEVEL;

    private Hashing() {
    }

    static long keyHash(byte[] key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return fmix64(h ^ key.length);
    }

    static long recordHash(long keyHash, long timestamp, int nodeId, long salt) {
        return fmix64(keyHash ^ salt ^ fmix64(timestamp + 0x9E3779B97F4A7C15L * (nodeId + 1L)));
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** The id of the node at {@code level} that holds {@code keyHash} (level 0: the root, id 0). */
    static long nodeOf(long keyHash, int level) {
        return level == 0 ? 0L : keyHash >>> (64 - BITS_PER_LEVEL * level);
    }

    static void checkNode(int level, long id) {
        if (level < 0 || level > MAX_LEVEL) {
            throw new IllegalArgumentException("tree level out of range: " + level);
        }
        if (level == 0 ? id != 0 : level < MAX_LEVEL && (id >>> (BITS_PER_LEVEL * level)) != 0) {
            throw new IllegalArgumentException("node id " + Long.toHexString(id) + " out of range for level " + level);
        }
    }
}

package earthwo.api;

/**
 * The function from a key to its segment, shared by nodes and clients (DESIGN §3): a segment is
 * a contiguous range of the 32-bit murmur3 hash, {@code segment = (h & 0xffffffffL) * S >>> 32}.
 */
public final class Segments {

    /** Segments in a cluster unless it was created with another count. */
    public static final int DEFAULT_COUNT = 256;

    private Segments() {
    }

    public static int segmentOf(byte[] key, int segmentCount) {
        long h = murmur3_32(key, 0) & 0xffffffffL;
        return (int) ((h * segmentCount) >>> 32);
    }

    /** MurmurHash3 x86 32-bit, as published by Austin Appleby. */
    public static int murmur3_32(byte[] data, int seed) {
        final int c1 = 0xcc9e2d51;
        final int c2 = 0x1b873593;
        int h = seed;
        int len = data.length;
        int blocks = len >>> 2;
        for (int i = 0; i < blocks; i++) {
            int j = i << 2;
            int k = (data[j] & 0xff) | (data[j + 1] & 0xff) << 8 | (data[j + 2] & 0xff) << 16 | (data[j + 3] & 0xff) << 24;
            k *= c1;
            k = Integer.rotateLeft(k, 15);
            k *= c2;
            h ^= k;
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int tail = blocks << 2;
        int k = 0;
        switch (len & 3) {
            case 3:
                k ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                k ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                k ^= data[tail] & 0xff;
                k *= c1;
                k = Integer.rotateLeft(k, 15);
                k *= c2;
                h ^= k;
                break;
            default:
                break;
        }
        h ^= len;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}

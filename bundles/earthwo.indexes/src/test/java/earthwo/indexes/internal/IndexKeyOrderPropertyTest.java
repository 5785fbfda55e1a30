package earthwo.indexes.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import earthwo.api.indexes.IndexType;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * Random pairs of values of each type: the unsigned byte order of their encodings is the order of
 * the values, also with any record key after them, and every encoding decodes to its value. A
 * failure names the seed; {@code -Dearthwo.test.seed=N} runs that seed again.
 */
class IndexKeyOrderPropertyTest {

    private static final int PAIRS = 100_000;

    private static final long[] SPECIAL_LONGS = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L << 32, -256, -255, -1, 0, 1,
            255, 256, 1L << 32, Long.MAX_VALUE - 1, Long.MAX_VALUE};

    private static final double[] SPECIAL_DOUBLES = {-Double.MAX_VALUE, -1e300, -1.0, -Double.MIN_NORMAL,
            -Double.MIN_NORMAL / 2, -Double.MIN_VALUE, -0.0, 0.0, Double.MIN_VALUE, 2 * Double.MIN_VALUE,
            Double.MIN_NORMAL - Double.MIN_VALUE, Double.MIN_NORMAL, 0.1, 1.0, Math.nextUp(1.0), 0x1p53, 0x1p63,
            1e300, Double.MAX_VALUE, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};

    /** Characters where encodings are most likely to go wrong: the escape, byte-length edges, surrogates. */
    private static final int[] SPECIAL_CODE_POINTS = {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x7FF, 0x800, 0xD7FF, 0xE000,
            0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};

    private final long seed = Long.getLong("earthwo.test.seed", System.nanoTime());
    private final Random random = new Random(seed);

    private String context(Object a, Object b) {
        return "seed " + seed + " (-Dearthwo.test.seed=" + seed + "), values " + describe(a) + " and " + describe(b);
    }

    private static String describe(Object v) {
        if (v instanceof String s) {
            StringBuilder cps = new StringBuilder("\"");
            s.codePoints().forEach(cp -> cps.append(String.format("\\u{%x}", cp)));
            return cps.append('"').toString();
        }
        if (v instanceof Double d) {
            return d + " (0x" + Long.toHexString(Double.doubleToRawLongBits(d)) + ")";
        }
        return String.valueOf(v);
    }

    private <T> void checkOrder(IndexType type, Comparator<T> valueOrder, Function<Random, T> generate) {
        for (int i = 0; i < PAIRS; i++) {
            T a = generate.apply(random);
            T b = random.nextInt(8) == 0 ? a : generate.apply(random);
            byte[] ea = IndexKeyCodec.encode(type, a);
            byte[] eb = IndexKeyCodec.encode(type, b);
            String context = context(a, b);
            int expected = Integer.signum(valueOrder.compare(a, b));
            assertEquals(expected, Integer.signum(Arrays.compareUnsigned(ea, eb)), context);

            byte[] keyA = randomKey();
            byte[] keyB = randomKey();
            int entryOrder = Integer.signum(Arrays.compareUnsigned(concat(ea, keyA), concat(eb, keyB)));
            int expectedEntryOrder = expected != 0 ? expected : Integer.signum(Arrays.compareUnsigned(keyA, keyB));
            assertEquals(expectedEntryOrder, entryOrder, context + ", keys " + HexFormat.of().formatHex(keyA)
                    + " and " + HexFormat.of().formatHex(keyB));

            IndexKeyCodec.Decoded da = IndexKeyCodec.decode(type, concat(ea, keyA), 0);
            assertEquals(a, da.value(), context);
            assertEquals(ea.length, da.length(), context);
            assertArrayEquals(ea, IndexKeyCodec.encode(type, da.value()), context);
        }
    }

    /** Record keys, biased towards the bytes that matter after a STRING's end marker: 0x00, 0x01, 0xFF. */
    private byte[] randomKey() {
        byte[] key = new byte[random.nextInt(6)];
        for (int i = 0; i < key.length; i++) {
            int pick = random.nextInt(5);
            key[i] = pick == 0 ? 0x00 : pick == 1 ? 0x01 : pick == 2 ? (byte) 0xFF : (byte) random.nextInt(256);
        }
        return key;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void longs() {
        checkOrder(IndexType.LONG, Long::compare, r -> {
            switch (r.nextInt(4)) {
                case 0:
                    return SPECIAL_LONGS[r.nextInt(SPECIAL_LONGS.length)];
                case 1:
                    return (long) (r.nextInt(21) - 10); // small values, many equal pairs
                case 2:
                    return r.nextLong() >> r.nextInt(64); // every magnitude
                default:
                    return r.nextLong();
            }
        });
    }

    @Test
    void doubles() {
        // The order of the values as an index stores them: -0.0 is 0.0.
        Comparator<Double> order = (x, y) -> Double.compare(x == 0 ? 0.0 : x, y == 0 ? 0.0 : y);
        checkOrder(IndexType.DOUBLE, order, r -> {
            double d;
            switch (r.nextInt(5)) {
                case 0:
                    d = SPECIAL_DOUBLES[r.nextInt(SPECIAL_DOUBLES.length)];
                    break;
                case 1:
                    d = Double.longBitsToDouble(r.nextLong() & 0x800F_FFFF_FFFF_FFFFL); // subnormals of both signs
                    break;
                case 2:
                    d = r.nextInt(21) - 10 + (r.nextBoolean() ? 0.5 : 0.0);
                    break;
                case 3:
                    d = r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
                    break;
                default:
                    d = Double.longBitsToDouble(r.nextLong()); // any bits, any exponent
            }
            // NaN never reaches the codec (IndexValueCoercion refuses it); decode gives 0.0 for -0.0.
            return Double.isNaN(d) ? 1.0 : d == 0 ? 0.0 : d;
        });
    }

    @Test
    void negativeZeroEncodesAsZero() {
        assertArrayEquals(IndexKeyCodec.encodeDouble(0.0), IndexKeyCodec.encodeDouble(-0.0));
    }

    @Test
    void strings() {
        checkOrder(IndexType.STRING, IndexKeyOrderPropertyTest::compareCodePoints, this::randomString);
    }

    /** Unicode code point order: the order a STRING index promises (not String.compareTo's UTF-16 order). */
    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private String randomString(Random r) {
        // Short strings from a small alphabet share prefixes often, which is where order bugs hide.
        int length = r.nextInt(7);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int cp;
            switch (r.nextInt(4)) {
                case 0:
                    cp = SPECIAL_CODE_POINTS[r.nextInt(SPECIAL_CODE_POINTS.length)];
                    break;
                case 1:
                    cp = 'a' + r.nextInt(3);
                    break;
                case 2:
                    cp = r.nextInt(0x80);
                    break;
                default:
                    cp = r.nextInt(Character.MAX_CODE_POINT + 1);
                    if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                        cp = 0xFF; // a lone surrogate is not a string an index stores
                    }
            }
            s.appendCodePoint(cp);
        }
        return s.toString();
    }
}

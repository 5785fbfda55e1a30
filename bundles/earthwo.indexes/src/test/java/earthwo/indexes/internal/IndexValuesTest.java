package earthwo.indexes.internal;

import static earthwo.api.indexes.IndexType.DOUBLE;
import static earthwo.api.indexes.IndexType.LONG;
import static earthwo.api.indexes.IndexType.STRING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.indexes.IndexType;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class IndexValuesTest {

    private static List<Object> decoded(IndexType type, IndexValues.Result r) {
        List<Object> values = new ArrayList<>();
        for (byte[] encoded : r.values()) {
            IndexKeyCodec.Decoded d = IndexKeyCodec.decode(type, encoded, 0);
            assertEquals(encoded.length, d.length());
            values.add(d.value());
        }
        return values;
    }

    private static List<Object> distinctStrings(int n) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add("tag" + i);
        }
        return values;
    }

    @Test
    void valuesComeOutEncodedDistinctAndInIndexOrder() {
        IndexValues.Result r = IndexValues.of(LONG, List.of(10L, -5L, 3L, "3", 3.0, new BigDecimal("10.00")));
        assertEquals(List.of(-5L, 3L, 10L), decoded(LONG, r));
        assertTrue(r.complete());
        assertArrayEquals(IndexKeyCodec.encodeLong(-5), r.values().get(0));
    }

    @Test
    void duplicatesWithinARecordAreRemovedAfterConversion() {
        IndexValues.Result r = IndexValues.of(STRING, List.of("math", "engines", "math", 42L, "42", 42.0));
        assertEquals(List.of("42", "engines", "math"), decoded(STRING, r));
        r = IndexValues.of(DOUBLE, List.of(0.0, -0.0, "0", "-0.0"));
        assertEquals(List.of(0.0), decoded(DOUBLE, r));
    }

    @Test
    void sixtyFourDistinctValuesAreIndexed() {
        IndexValues.Result r = IndexValues.of(STRING, distinctStrings(IndexValues.MAX_VALUES_PER_RECORD));
        assertEquals(64, r.values().size());
        assertFalse(r.tooManyValues());
    }

    @Test
    void sixtyFiveDistinctValuesIndexNothing() {
        IndexValues.Result r = IndexValues.of(STRING, distinctStrings(65));
        assertEquals(List.of(), r.values());
        assertTrue(r.tooManyValues());
        assertFalse(r.complete());
    }

    @Test
    void theLimitCountsDistinctValuesNotExtractions() {
        List<Object> many = new ArrayList<>(distinctStrings(64));
        many.addAll(distinctStrings(64));
        many.add(null);
        many.add(NotIndexable.JSON_OBJECT);
        IndexValues.Result r = IndexValues.of(STRING, many);
        assertEquals(64, r.values().size());
        assertFalse(r.tooManyValues());
        assertEquals(1, r.typeMismatches());
    }

    @Test
    void valuesAfterTheLimitAreNotLookedAt() {
        List<Object> many = new ArrayList<>(distinctStrings(100));
        many.add(NotIndexable.JSON_OBJECT);
        IndexValues.Result r = IndexValues.of(STRING, many);
        assertTrue(r.tooManyValues());
        assertEquals(0, r.typeMismatches());
    }

    @Test
    void anEncodingOf512BytesIsTakenAnd513IsOversize() {
        // 510 ASCII characters + the 2-byte end marker = 512 bytes.
        String longest = "x".repeat(510);
        IndexValues.Result r = IndexValues.of(STRING, List.of(longest));
        assertEquals(1, r.values().size());
        assertEquals(512, r.values().get(0).length);
        r = IndexValues.of(STRING, List.of(longest + "x", "short"));
        assertEquals(List.of("short"), decoded(STRING, r), "only the oversize value is refused");
        assertEquals(1, r.oversize());
        assertFalse(r.complete());
    }

    @Test
    void escapesAndMultiByteCharactersCountInTheEncodedLength() {
        assertEquals(1, IndexValues.of(STRING, List.of("\0".repeat(255))).values().size(), "255 * 2 + 2 = 512");
        assertEquals(1, IndexValues.of(STRING, List.of("\0".repeat(256))).oversize());
        assertEquals(1, IndexValues.of(STRING, List.of("😀".repeat(127) + "ab")).values().size(), "127 * 4 + 2 + 2");
        assertEquals(1, IndexValues.of(STRING, List.of("😀".repeat(128))).oversize());
        assertEquals(1, IndexValues.of(STRING, List.of("x".repeat(1_000_000))).oversize());
    }

    @Test
    void oversizeValuesDoNotCountTowardsTheLimit() {
        List<Object> values = new ArrayList<>(distinctStrings(64));
        values.add("y".repeat(600));
        IndexValues.Result r = IndexValues.of(STRING, values);
        assertEquals(64, r.values().size());
        assertEquals(1, r.oversize());
        assertFalse(r.tooManyValues());
    }

    @Test
    void mismatchesAreCountedAndTheRestIndexed() {
        IndexValues.Result r = IndexValues.of(LONG, List.of("abc", 1.5, true, 7L, NotIndexable.JSON_ARRAY, "8",
                new BigDecimal("1e30"), Double.NaN));
        assertEquals(List.of(7L, 8L), decoded(LONG, r));
        assertEquals(6, r.typeMismatches());
        r = IndexValues.of(DOUBLE, List.of("NaN", "Infinity", "1e400", Double.POSITIVE_INFINITY, true, "2.5"));
        assertEquals(List.of(2.5), decoded(DOUBLE, r));
        assertEquals(5, r.typeMismatches());
    }

    @Test
    void aStringWithAnUnpairedSurrogateIsAMismatch() {
        IndexValues.Result r = IndexValues.of(STRING, List.of("\ud800", "x\udc00y", "ok😀"));
        assertEquals(List.of("ok😀"), decoded(STRING, r));
        assertEquals(2, r.typeMismatches());
    }

    @Test
    void nothingExtractedIsAnEmptyCompleteResult() {
        IndexValues.Result r = IndexValues.collector(STRING).result();
        assertEquals(List.of(), r.values());
        assertTrue(r.complete());
    }

    @Test
    void aCollectorIsTheSinkOfAnExtraction() {
        IndexValues.Collector tags = IndexValues.collector(STRING);
        new JsonPathExtractor().compile("$.tags[*]")
                .extract(new byte[0], "{\"tags\":[\"b\",\"a\",\"b\",{\"x\":1},null,3]}".getBytes(), tags);
        IndexValues.Result r = tags.result();
        assertEquals(List.of("3", "a", "b"), decoded(STRING, r));
        assertEquals(1, r.typeMismatches());
    }

    @Test
    void theResultCannotBeChangedByItsReader() {
        IndexValues.Result r = IndexValues.of(LONG, List.of(1L));
        assertTrue(Arrays.equals(IndexKeyCodec.encodeLong(1), r.values().get(0)));
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> r.values().clear());
    }
}

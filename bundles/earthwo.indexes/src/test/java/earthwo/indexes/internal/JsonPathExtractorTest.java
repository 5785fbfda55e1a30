package earthwo.indexes.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.indexes.IndexExtractor;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class JsonPathExtractorTest {

    private static final String PERSON = "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"age\":36,"
            + "\"tags\":[\"math\",\"engines\",\"math\"],\"address\":{\"city\":\"London\",\"zip\":null},"
            + "\"scores\":[1.5,-2,3e2],\"active\":true,\"first name\":\"A\",\"a.b\":\"dotted\"}";

    private final JsonPathExtractor extractor = new JsonPathExtractor();

    private List<Object> extract(String path, String json) {
        return Extracted.from(extractor.compile(path), "k", json);
    }

    private String unreadable(String path, byte[] value) {
        IndexExtractor.Extraction e = extractor.compile(path);
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> Extracted.from(e, "k".getBytes(), value));
        return thrown.getMessage();
    }

    private String unreadable(String path, String json) {
        return unreadable(path, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void membersOfObjects() {
        assertEquals(List.of("ada@example.com"), extract("$.email", PERSON));
        assertEquals(List.of("London"), extract("$.address.city", PERSON));
        assertEquals(List.of("London"), extract("$['address']['city']", PERSON));
        assertEquals(List.of("A"), extract("$['first name']", PERSON));
        assertEquals(List.of("dotted"), extract("$[\"a.b\"]", PERSON));
    }

    @Test
    void scalarsByType() {
        assertEquals(List.of(36L), extract("$.age", PERSON));
        assertEquals(List.of(true), extract("$.active", PERSON));
        assertEquals(List.of(new BigDecimal("1.5"), -2L, new BigDecimal("3e2")), extract("$.scores[*]", PERSON));
        assertEquals(List.of(false), extract("$", "false"));
        assertEquals(List.of("top"), extract("$", "\"top\""));
    }

    @Test
    void numbersAreLongWhenPlainAndInRangeElseExactDecimals() {
        assertEquals(List.of(Long.MAX_VALUE), extract("$", "9223372036854775807"));
        assertEquals(List.of(Long.MIN_VALUE), extract("$", "-9223372036854775808"));
        assertEquals(List.of(new BigDecimal("9223372036854775808")), extract("$", "9223372036854775808"));
        assertEquals(List.of(new BigDecimal("9007199254740993.0")), extract("$", "9007199254740993.0"),
                "not rounded to a double");
        assertEquals(List.of(0L), extract("$", "-0"));
        assertEquals(List.of(new BigDecimal("-0.0")), extract("$", "-0.0"));
        assertEquals(List.of(new BigDecimal("1E+999999999")), extract("$", "1e999999999"));
    }

    @Test
    void overlongAndOutOfRangeNumbersAreNotIndexable() {
        String longest = "1." + "5".repeat(JsonNumbers.MAX_NUMBER_CHARS - 2);
        assertEquals(List.of(new BigDecimal(longest)), extract("$", longest));
        List<Object> found = extract("$.n", "{\"n\":" + longest + "5}");
        assertEquals(1, found.size());
        assertTrue(found.get(0) instanceof NotIndexable, found.toString());
        assertTrue(found.get(0).toString().contains("257 characters"), found.toString());
        found = extract("$", "1e2147483648");
        assertTrue(found.get(0) instanceof NotIndexable, found.toString());
    }

    @Test
    void aMillionDigitNumberIsRefusedByTheReaderAtOnce() {
        // Gson reads a number only within its 1024-character buffer; in strict mode a longer one
        // makes the document unreadable, on the path or off it.
        String huge = "1" + "0".repeat(1_000_000);
        long start = System.nanoTime();
        assertTrue(unreadable("$.a", "{\"a\":1,\"b\":" + huge + "}").contains("not valid JSON"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 2_000, millis + " ms");
    }

    @Test
    void arrayElementsByIndex() {
        assertEquals(List.of("math"), extract("$.tags[0]", PERSON));
        assertEquals(List.of("engines"), extract("$.tags[1]", PERSON));
        assertEquals(List.of(), extract("$.tags[3]", PERSON), "beyond the end: nothing");
        assertEquals(List.of(), extract("$.tags[2147483647]", PERSON));
    }

    @Test
    void wildcardsOverArraysAndObjects() {
        assertEquals(List.of("math", "engines", "math"), extract("$.tags[*]", PERSON),
                "every element, duplicates included: IndexValues removes them");
        assertEquals(List.of("math", "engines", "math"), extract("$.tags.*", PERSON));
        assertEquals(List.of("London"), extract("$.address.*", PERSON), "a null member gives nothing");
        assertEquals(List.of("London"), extract("$.address[*]", PERSON));
        assertEquals(List.of(), extract("$.email[*]", PERSON), "a wildcard over a scalar gives nothing");
        assertEquals(List.of(), extract("$.tags[*]", "{\"tags\":[]}"));
    }

    @Test
    void nestedArrays() {
        String matrix = "{\"m\":[[1,2],[3],[],[[4]],5]}";
        assertEquals(List.of(1L, 2L, 3L, NotIndexable.JSON_ARRAY), extract("$.m[*][*]", matrix),
                "5 is a scalar where an array was expected: nothing");
        assertEquals(List.of(3L), extract("$.m[1][0]", matrix));
        assertEquals(List.of(4L), extract("$.m[3][0][0]", matrix));
        assertEquals(List.of(NotIndexable.JSON_ARRAY, NotIndexable.JSON_ARRAY, NotIndexable.JSON_ARRAY,
                NotIndexable.JSON_ARRAY, 5L), extract("$.m[*]", matrix));
        assertEquals(List.of("x", "y"), extract("$.orders[*].items[*].sku",
                "{\"orders\":[{\"items\":[{\"sku\":\"x\"}]},{\"items\":[{\"sku\":\"y\"},{\"qty\":1}]},{}]}"));
    }

    @Test
    void anObjectOrArrayAtTheEndIsATypeMismatchNotAValue() {
        assertEquals(List.of(NotIndexable.JSON_OBJECT), extract("$.address", PERSON));
        assertEquals(List.of(NotIndexable.JSON_ARRAY), extract("$.tags", PERSON));
        assertEquals(List.of(NotIndexable.JSON_OBJECT), extract("$", PERSON));
    }

    @Test
    void missingPathsAndNullsGiveNothing() {
        assertEquals(List.of(), extract("$.phone", PERSON));
        assertEquals(List.of(), extract("$.address.zip", PERSON));
        assertEquals(List.of(), extract("$.address.street.number", PERSON));
        assertEquals(List.of(), extract("$.email.domain", PERSON), "a path through a string");
        assertEquals(List.of(), extract("$.tags.first", PERSON), "a member of an array");
        assertEquals(List.of(), extract("$.address[0]", PERSON), "an element of an object");
        assertEquals(List.of(), extract("$", "null"));
        assertEquals(List.of(), extract("$.a", "[1,2]"));
    }

    @Test
    void unicodeNamesAndValues() {
        String json = "{\"naïve\":\"日本語\",\"emoji\":\"😀\",\"escaped\":\"caf\\u00e9 \\ud83d\\ude00\","
                + "\"\\u00fc\":\"u-umlaut\",\"nul\":\"a\\u0000b\",\"lone\":\"\\ud800\"}";
        assertEquals(List.of("日本語"), extract("$.naïve", json));
        assertEquals(List.of("日本語"), extract("$['na\\u00efve']", json));
        assertEquals(List.of("😀"), extract("$.emoji", json));
        assertEquals(List.of("café 😀"), extract("$.escaped", json));
        assertEquals(List.of("u-umlaut"), extract("$.ü", json), "a name written as an escape in the value");
        assertEquals(List.of("a\0b"), extract("$.nul", json));
        assertEquals(List.of("\ud800"), extract("$.lone", json), "passed on; IndexValues counts it as a mismatch");
    }

    @Test
    void escapesInValuesAndNames() {
        String json = "{\"it's\":1,\"say \\\"hi\\\"\":2,\"a\\\\b\":3,\"tab\\there\":4,\"v\":\"line\\nnext \\/ \\\\\"}";
        assertEquals(List.of(1L), extract("$[\"it's\"]", json));
        assertEquals(List.of(1L), extract("$['it\\'s']", json));
        assertEquals(List.of(2L), extract("$['say \"hi\"']", json));
        assertEquals(List.of(3L), extract("$['a\\\\b']", json));
        assertEquals(List.of(4L), extract("$['tab\\there']", json));
        assertEquals(List.of("line\nnext / \\"), extract("$.v", json));
    }

    @Test
    void aRepeatedMemberIsReadAtItsFirstOccurrence() {
        assertEquals(List.of(1L), extract("$.a", "{\"a\":1,\"a\":2}"));
        assertEquals(List.of(1L, 2L), extract("$.*", "{\"a\":1,\"a\":2}"));
    }

    @Test
    void whitespaceAndAByteOrderMarkAreFine() {
        assertEquals(List.of("x"), extract("$.a", " \n\t{ \"a\" :\r\n \"x\" } \n"));
        assertEquals(List.of("x"), extract("$.a", "\uFEFF{\"a\":\"x\"}"));
    }

    @Test
    void malformedJsonThrowsEvenOffThePath() {
        assertTrue(unreadable("$.a", "{\"a\":1").contains("not valid JSON"));
        unreadable("$.a", "{\"a\":}");
        unreadable("$.a", "{a:1}");
        unreadable("$.a", "{'a':1}");
        unreadable("$.a", "{\"a\":1,}");
        unreadable("$.a", "[1,]");
        unreadable("$.a", "{\"a\":NaN}");
        unreadable("$.a", "{\"a\":01}");
        unreadable("$.a", "{\"a\":\"x\\'\"}");
        unreadable("$.a", "{\"a\":1,\"b\":[1 2]}");
        unreadable("$.a", "{\"a\":1} trailing");
        unreadable("$.a", "{\"a\":1}{\"a\":2}");
        unreadable("$.a", "");
        unreadable("$.a", "   ");
        unreadable("$.a", "plain text");
        unreadable("$", "{\"a\":1");
    }

    @Test
    void theMessageSaysWhereWithoutTheReadersAdvice() {
        String message = unreadable("$.a", "{\"a\":1} x");
        assertTrue(message.contains("line 1 column"), message);
        assertTrue(!message.contains("setStrictness") && !message.contains("http"), message);
    }

    @Test
    void valuesFoundBeforeTheErrorAreNotTheCallersProblemToGuess() {
        // The contract: extract throws, the caller drops whatever reached the sink.
        List<Object> seen = new ArrayList<>();
        IndexExtractor.Extraction e = extractor.compile("$.a");
        assertThrows(RuntimeException.class, () -> e.extract(new byte[0], "{\"a\":1,".getBytes(), seen::add));
        assertEquals(List.of(1L), seen);
    }

    @Test
    void malformedUtf8IsNotJson() {
        byte[] value = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'};
        assertTrue(unreadable("$.a", value).contains("UTF-8"));
        byte[] overlong = {'"', (byte) 0xC0, (byte) 0x80, '"'};
        assertTrue(unreadable("$", overlong).contains("UTF-8"));
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        unreadable("$[0]", deep);
    }

    @Test
    void bigDocumentsAndValuesAreRead() {
        StringBuilder json = new StringBuilder("{\"skip\":[");
        for (int i = 0; i < 20_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"x\":\"").append("y".repeat(20)).append("\"}");
        }
        json.append("],\"big\":\"").append("z".repeat(300_000)).append("\",\"id\":7}");
        assertEquals(List.of(7L), extract("$.id", json.toString()));
        assertEquals(List.of("z".repeat(300_000)), extract("$.big", json.toString()));
    }

    @Test
    void theKeyIsNotRead() {
        assertEquals(List.of(1L), Extracted.from(extractor.compile("$.a"), new byte[] {(byte) 0xFF}, "{\"a\":1}".getBytes()));
    }

    @Test
    void compileRefusesMalformedExpressions() {
        for (String bad : new String[] {"$.", "$[", "$['a", "email", "$[-1]", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> extractor.compile(bad), bad);
            assertTrue(bad.isEmpty() || e.getMessage().contains("position"), e.getMessage());
        }
    }
}

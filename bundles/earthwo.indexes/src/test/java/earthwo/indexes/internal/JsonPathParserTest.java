package earthwo.indexes.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.indexes.internal.JsonPathStep.Element;
import earthwo.indexes.internal.JsonPathStep.Member;
import earthwo.indexes.internal.JsonPathStep.Wildcard;

import java.util.List;

import org.junit.jupiter.api.Test;

class JsonPathParserTest {

    private static String refused(String expression, int position) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JsonPathParser.parse(expression), expression);
        if (position >= 0) {
            assertTrue(e.getMessage().contains("position " + position + ":"), e.getMessage());
        }
        return e.getMessage();
    }

    @Test
    void theRootAlone() {
        assertEquals(List.of(), JsonPathParser.parse("$"));
    }

    @Test
    void dotAndBracketNotation() {
        assertEquals(List.of(new Member("email")), JsonPathParser.parse("$.email"));
        assertEquals(List.of(new Member("a"), new Member("b_c"), new Member("d-e"), new Member("$f"), new Member("9")),
                JsonPathParser.parse("$.a.b_c.d-e.$f.9"));
        assertEquals(List.of(new Member("first name"), new Member("a.b")), JsonPathParser.parse("$['first name'][\"a.b\"]"));
        assertEquals(List.of(new Member("items"), new Element(0), new Member("id")), JsonPathParser.parse("$.items[0].id"));
        assertEquals(List.of(new Element(2147483647)), JsonPathParser.parse("$[2147483647]"));
        assertEquals(List.of(new Element(7)), JsonPathParser.parse("$[007]"));
    }

    @Test
    void wildcards() {
        assertEquals(List.of(new Member("tags"), new Wildcard()), JsonPathParser.parse("$.tags[*]"));
        assertEquals(List.of(new Member("m"), new Wildcard(), new Wildcard()), JsonPathParser.parse("$.m.*[*]"));
        assertEquals(List.of(new Wildcard()), JsonPathParser.parse("$.*"));
    }

    @Test
    void unicodeNames() {
        assertEquals(List.of(new Member("naïve"), new Member("日本")), JsonPathParser.parse("$.naïve.日本"));
        assertEquals(List.of(new Member("𝔸x")), JsonPathParser.parse("$.𝔸x"), "a letter above U+FFFF");
        assertEquals(List.of(new Member("😀 face")), JsonPathParser.parse("$['😀 face']"));
    }

    @Test
    void escapesInQuotedNames() {
        assertEquals(List.of(new Member("it's")), JsonPathParser.parse("$['it\\'s']"));
        assertEquals(List.of(new Member("say \"hi\"")), JsonPathParser.parse("$[\"say \\\"hi\\\"\"]"));
        assertEquals(List.of(new Member("it's")), JsonPathParser.parse("$[\"it's\"]"), "the other quote needs no escape");
        assertEquals(List.of(new Member("a\\b/c")), JsonPathParser.parse("$['a\\\\b\\/c']"));
        assertEquals(List.of(new Member("\b\f\n\r\t")), JsonPathParser.parse("$['\\b\\f\\n\\r\\t']"));
        assertEquals(List.of(new Member("é😀")), JsonPathParser.parse("$['\\u00e9\\uD83D\\uDE00']"));
        assertEquals(List.of(new Member("]['']")), JsonPathParser.parse("$[\"]['']\"]"));
        assertEquals(List.of(new Member("")), JsonPathParser.parse("$['']"), "the empty name is a name");
    }

    @Test
    void theMalformedExpressionsOfTheSpecification() {
        refused("$.", 2);
        refused("$[", 2);
        refused("$['a", 2);
        assertTrue(refused("email", 0).contains("starts with '$'"));
        assertTrue(refused("$[-1]", 2).contains("negative"));
        assertTrue(refused("", -1).contains("empty"));
    }

    @Test
    void otherMalformedExpressions() {
        refused("$..a", 1);
        refused("$.a.", 4);
        refused("$.a b", 3);
        refused(" $.a", 0);
        refused("$a", 1);
        refused("$.['a']", 2);
        refused("$.a[", 4);
        refused("$.a[0", 5);
        refused("$.a[0,1]", 5);
        refused("$.a[1:2]", 5);
        refused("$.a[?(@.b)]", 4);
        refused("$['a','b']", 5);
        refused("$['a'", 5);
        refused("$[*", 3);
        refused("$[ 0]", 2);
        refused("$['a\\x']", 4);
        refused("$['a\\u12g4']", 4);
        refused("$['a\\u12']", 4);
        refused("$['a\\", 4);
        refused("$[\"a'", 2);
        refused("$[2147483648]", 2);
        refused("$[99999999999999999999]", 2);
        refused("$.a@", 3);
        assertTrue(refused("$.+", 2).contains("['name']"));
        assertEquals(List.of(new Member("٣")), JsonPathParser.parse("$.٣"), "digits of any script make a name");
    }

    @Test
    void aMessageShowsTheExpressionAndWhatWasFound() {
        String message = refused("$.a b", 3);
        assertTrue(message.contains("'$.a b'"), message);
        assertTrue(message.contains("found ' '"), message);
        assertTrue(refused("$.", 2).contains("found the end"));
    }
}

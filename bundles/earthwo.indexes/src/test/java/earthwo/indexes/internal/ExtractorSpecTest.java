package earthwo.indexes.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import org.junit.jupiter.api.Test;

class ExtractorSpecTest {

    private static String refused(String spec) {
        EarthwoException e = assertThrows(EarthwoException.class, () -> ExtractorSpec.parse(spec), spec);
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        return e.getMessage();
    }

    @Test
    void theSchemeEndsAtTheFirstColonAndTheExpressionMayHoldMore() {
        assertEquals(new ExtractorSpec("json", "$.email"), ExtractorSpec.parse("json:$.email"));
        assertEquals(new ExtractorSpec("key", "^([^:]+):"), ExtractorSpec.parse("key:^([^:]+):"));
        assertEquals(new ExtractorSpec("json", "$['a:b']"), ExtractorSpec.parse("json:$['a:b']"));
        assertEquals(new ExtractorSpec("my-ext_2", "x"), ExtractorSpec.parse("my-ext_2:x"));
        assertEquals("key:^([^:]+):", ExtractorSpec.parse("key:^([^:]+):").toString());
    }

    @Test
    void aSpecWithoutColonSaysHowToWriteOne() {
        String message = refused("email");
        assertTrue(message.contains("SCHEME:EXPRESSION"), message);
        assertTrue(message.contains("'email'"), message);
    }

    @Test
    void anEmptyExpressionIsRefused() {
        String message = refused("json:");
        assertTrue(message.contains("empty expression"), message);
    }

    @Test
    void missingOrEmptySpecIsRefused() {
        assertTrue(refused(null).contains("SCHEME:EXPRESSION"));
        assertTrue(refused("").contains("SCHEME:EXPRESSION"));
    }

    @Test
    void badSchemesAreRefusedWithTheRule() {
        for (String spec : new String[] {":$.a", "JSON:$.a", "1json:$.a", "js on:$.a", "-x:y", "jsön:$.a",
                "a23456789012345678901234567890123:x"}) {
            String message = refused(spec);
            assertTrue(message.contains("[a-z][a-z0-9_-]{0,31}"), message);
        }
        assertEquals("a2345678901234567890123456789012",
                ExtractorSpec.parse("a2345678901234567890123456789012:x").scheme(), "32 characters is the longest");
    }

    @Test
    void aSpecOverOneKibibyteIsRefused() {
        String longest = "key:" + "a".repeat(ExtractorSpec.MAX_SPEC_BYTES - 4);
        assertEquals(ExtractorSpec.MAX_SPEC_BYTES - 4, ExtractorSpec.parse(longest).expression().length());
        String message = refused(longest + "a");
        assertTrue(message.contains("1025 bytes") && message.contains("1024"), message);
        // Counted in UTF-8 bytes: 512 two-byte characters are over the limit with the scheme.
        refused("key:" + "é".repeat(511));
    }

    @Test
    void schemeRuleIsSharedWithServiceProperties() {
        assertTrue(ExtractorSpec.isValidScheme("json"));
        assertFalse(ExtractorSpec.isValidScheme(null));
        assertFalse(ExtractorSpec.isValidScheme(""));
        assertFalse(ExtractorSpec.isValidScheme("Json"));
    }
}

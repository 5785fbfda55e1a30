package earthwo.indexes.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.indexes.IndexExtractor;

import java.util.List;

import org.junit.jupiter.api.Test;

class KeyRegexExtractorTest {

    private final KeyRegexExtractor extractor = new KeyRegexExtractor();

    private List<Object> extract(String pattern, String key) {
        return Extracted.from(extractor.compile(pattern), key, "{\"not\":\"read\"}");
    }

    @Test
    void groupOneWhenThePatternHasGroups() {
        assertEquals(List.of("acme"), extract("^([^:]+):", "acme:user:42"));
        assertEquals(List.of("user"), extract("^[^:]+:([^:]+):", "acme:user:42"));
        assertEquals(List.of("42"), extract(":(\\d+)$", "acme:user:42"));
    }

    @Test
    void theWholeMatchWithoutGroups() {
        assertEquals(List.of("acme:"), extract("^[^:]+:", "acme:user:42"));
        assertEquals(List.of("user"), extract("(?<=:)[a-z]+(?=:)", "acme:user:42"), "lookarounds are no groups");
        assertEquals(List.of("42"), extract("(?:\\d)+", "acme:user:42"), "a non-capturing group is no group");
    }

    @Test
    void findsAnywhereFromTheStartAndOnlyTheFirstMatch() {
        assertEquals(List.of("user"), extract("user", "acme:user:42"));
        assertEquals(List.of("1"), extract("\\d", "a1b2c3"));
    }

    @Test
    void noMatchOrAnUnusedGroupIndexesNothing() {
        assertEquals(List.of(), extract("^([^:]+):", "no-colon"));
        assertEquals(List.of(), extract("(x)|b", "abc"));
        assertEquals(List.of(""), extract("^([^:]*):", ":empty-tenant"), "an empty group is a value");
    }

    @Test
    void keysAreUnicodeAndMalformedUtf8IsReplaced() {
        assertEquals(List.of("東京"), extract("^([^:]+):", "東京:1"));
        assertEquals(List.of("😀"), extract("^(.)", "😀x"), "a surrogate pair is one character");
        byte[] malformed = {'a', (byte) 0xC3, ':', 'b'};
        assertEquals(List.of("a\uFFFD"), Extracted.from(extractor.compile("^([^:]+):"), malformed, new byte[0]));
    }

    @Test
    void patternFlagsWork() {
        assertEquals(List.of("ACME"), extract("(?i)^(acme)", "ACME:1"));
    }

    @Test
    void aBadPatternNamesTheProblemAndPlace() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> extractor.compile("^([^:]+:"));
        assertTrue(e.getMessage().contains("Unclosed group"), e.getMessage());
        assertTrue(e.getMessage().contains("position"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> extractor.compile("a{2,1}"));
        assertTrue(e.getMessage().contains("bad key pattern"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> extractor.compile("*a"));
    }

    @Test
    void patternsOverOneKibibyteAreRefused() {
        String longest = "a".repeat(KeyRegexExtractor.MAX_PATTERN_BYTES);
        assertEquals(List.of(longest), extract(longest, longest));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> extractor.compile(longest + "a"));
        assertTrue(e.getMessage().contains("1025 bytes"), e.getMessage());
    }

    @Test
    void oneCompiledPatternServesManyThreads() throws Exception {
        IndexExtractor.Extraction tenant = extractor.compile("^([^:]+):");
        Thread[] threads = new Thread[4];
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    String expected = "t" + id + "x" + i;
                    List<Object> got = Extracted.from(tenant, expected + ":k", "");
                    if (!got.equals(List.of(expected))) {
                        failures.add(new AssertionError(got + " for " + expected));
                        return;
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures);
    }
}

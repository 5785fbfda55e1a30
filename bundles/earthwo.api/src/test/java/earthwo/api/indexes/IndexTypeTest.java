package earthwo.api.indexes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import org.junit.jupiter.api.Test;

class IndexTypeTest {

    @Test
    void namesAreReadInAnyCase() {
        assertEquals(IndexType.STRING, IndexType.parse("string"));
        assertEquals(IndexType.LONG, IndexType.parse("LONG"));
        assertEquals(IndexType.LONG, IndexType.parse("Long"));
        assertEquals(IndexType.DOUBLE, IndexType.parse("dOuBlE"));
    }

    @Test
    void theTurkishDotlessIDoesNotChangeTheAnswer() {
        // Upper-casing in Locale.ROOT, so "string" is STRING whatever the node's locale.
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
            assertEquals(IndexType.STRING, IndexType.parse("string"));
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void anUnknownNameIsABadRequestNamingTheAllowedTypes() {
        for (String name : new String[] {"int", "", " long", "long ", "text", null}) {
            EarthwoException e = assertThrows(EarthwoException.class, () -> IndexType.parse(name), String.valueOf(name));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.getMessage().contains("string, long or double"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
        }
    }
}

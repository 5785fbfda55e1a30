package earthwo.example.extractor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import earthwo.api.indexes.IndexExtractor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class CsvFieldExtractorTest {

    private static List<Object> extract(String expression, String value) {
        List<Object> out = new ArrayList<>();
        IndexExtractor.Extraction e = new CsvFieldExtractor().compile(expression);
        e.extract(new byte[] {'k'}, value.getBytes(StandardCharsets.UTF_8), out::add);
        return out;
    }

    @Test
    void takesTheNthField() {
        assertEquals(List.of("alice"), extract("0", "alice,42,Lisbon"));
        assertEquals(List.of("Lisbon"), extract("2", "alice,42,Lisbon"));
        assertEquals(List.of(""), extract("1", "a,,c"));
        assertEquals(List.of(), extract("3", "alice,42,Lisbon"));
    }

    @Test
    void refusesWhatIsNotAFieldNumber() {
        for (String bad : List.of("x", "-1", "1001", "")) {
            assertThrows(IllegalArgumentException.class, () -> new CsvFieldExtractor().compile(bad), bad);
        }
    }
}

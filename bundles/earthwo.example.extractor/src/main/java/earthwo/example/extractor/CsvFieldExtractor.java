package earthwo.example.extractor;

import earthwo.api.indexes.IndexExtractor;
import org.osgi.service.component.annotations.Component;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Scheme {@code csv}: {@code csv:N} indexes a record under the N-th field (from 0) of its value,
 * read as comma-separated UTF-8 text without quoting; a record with fewer fields is not indexed.
 * E.g. {@code index:create city 'csv:2'} over values like {@code alice,42,Lisbon}.
 */
@Component(property = IndexExtractor.SCHEME + "=" + CsvFieldExtractor.SCHEME)
public final class CsvFieldExtractor implements IndexExtractor {

    static final String SCHEME = "csv";
    static final int MAX_FIELD = 1_000;

    @Override
    public Extraction compile(String expression) {
        int field;
        try {
            field = Integer.parseInt(expression.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("csv: the expression is a field number (0.." + MAX_FIELD + "), not '"
                    + expression + "'");
        }
        if (field < 0 || field > MAX_FIELD) {
            throw new IllegalArgumentException("csv: field " + field + " is out of 0.." + MAX_FIELD);
        }
        return new Field(field);
    }

    private record Field(int index) implements Extraction {

        @Override
        public void extract(byte[] key, byte[] value, Consumer<Object> sink) {
            String text = new String(value, StandardCharsets.UTF_8);
            int start = 0;
            for (int i = 0; i < index; i++) {
                int comma = text.indexOf(',', start);
                if (comma < 0) {
                    return;
                }
                start = comma + 1;
            }
            int end = text.indexOf(',', start);
            sink.accept(end < 0 ? text.substring(start) : text.substring(start, end));
        }
    }
}

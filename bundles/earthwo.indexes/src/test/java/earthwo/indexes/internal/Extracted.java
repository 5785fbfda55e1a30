package earthwo.indexes.internal;

import earthwo.api.indexes.IndexExtractor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Runs an extraction and keeps what it passed to the sink, in order. */
final class Extracted {

    private Extracted() {
    }

    static List<Object> from(IndexExtractor.Extraction extraction, byte[] key, byte[] value) {
        List<Object> found = new ArrayList<>();
        extraction.extract(key, value, found::add);
        return found;
    }

    static List<Object> from(IndexExtractor.Extraction extraction, String key, String value) {
        return from(extraction, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }
}

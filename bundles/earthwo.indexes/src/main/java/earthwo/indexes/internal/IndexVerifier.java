package earthwo.indexes.internal;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.storage.IndexEntries;
import earthwo.api.storage.IndexHit;
import earthwo.api.storage.SegmentStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Compares one index's entries on this node with what its records make them, segment by segment
 * (for operators after an incident, and for tests): an entry no record has ("extra"), a record's
 * entry that is missing. Walks every record and entry of the index: not for a request path. A
 * write during the walk may show as a difference; a quiet node shows none.
 */
final class IndexVerifier {

    private static final int PAGE = 1_000;
    private static final int EXAMPLES = 5;

    record Report(String index, long records, long entries, long missing, long extra, List<String> examples) {

        boolean clean() {
            return missing == 0 && extra == 0;
        }

        String text() {
            StringBuilder out = new StringBuilder("index '" + index + "': " + records + " records, " + entries + " entries, "
                    + missing + " missing, " + extra + " extra: " + (clean() ? "clean" : "DIFFERENT") + "\n");
            examples.forEach(e -> out.append("  ").append(e).append('\n'));
            return out.toString();
        }
    }

    private IndexVerifier() {
    }

    static Report verify(SegmentStore store, LiveIndex li, IndexEntries entries) {
        long records = 0;
        long stored = 0;
        long missing = 0;
        long extra = 0;
        List<String> examples = new ArrayList<>();
        byte[] to = QueryRange.successor(li.prefix);
        for (int s = 0; s < store.segmentCount(); s++) {
            Map<String, String> expected = new HashMap<>();
            byte[] after = null;
            while (true) {
                List<Record> page = store.scan(s, new byte[0], after, PAGE);
                for (Record r : page) {
                    if (!r.isTombstone()) {
                        records++;
                        for (byte[] e : entries.entriesOf(s, r.key(), r.value())) {
                            expected.put(id(e, r.key()), "key " + Keys.printable(r.key()));
                        }
                    }
                    after = r.key();
                }
                if (page.size() < PAGE) {
                    break;
                }
            }
            byte[] from = li.prefix;
            while (true) {
                List<IndexHit> hits = store.indexEntries(s, from, to, PAGE);
                for (IndexHit h : hits) {
                    stored++;
                    if (expected.remove(id(h.entry(), h.key())) == null) {
                        extra++;
                        example(examples, "extra in segment " + s + ": key " + Keys.printable(h.key()));
                    }
                    from = QueryRange.concat(QueryRange.concat(h.entry(), h.key()), new byte[1]);
                }
                if (hits.size() < PAGE) {
                    break;
                }
            }
            missing += expected.size();
            for (String e : expected.values()) {
                example(examples, "missing in segment " + s + ": " + e);
            }
        }
        return new Report(li.definition.name(), records, stored, missing, extra, examples);
    }

    /** Exact identity of an entry (printable forms may collide). */
    private static String id(byte[] entry, byte[] key) {
        return HexFormat.of().formatHex(entry) + "/" + HexFormat.of().formatHex(key);
    }

    private static void example(List<String> examples, String e) {
        if (examples.size() < EXAMPLES) {
            examples.add(e);
        }
    }
}

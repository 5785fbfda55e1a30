package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.indexes.IndexInfo;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.api.indexes.IndexType;
import earthwo.api.indexes.Indexes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test double of the {@link Indexes} service (the real one lives in earthwo.indexes): rows given
 * by the test, per index name, queried by text comparison of their index values. Its cursor is the
 * last row's index value and key, so a page continues after that row even when rows change
 * between pages. Answers complete on another thread, as a service that asks other nodes would.
 * Defining indexes is not served.
 */
final class InMemoryIndexesDouble implements Indexes {

    private static final Comparator<IndexRow> ORDER =
            Comparator.comparing(IndexRow::indexValue).thenComparing(IndexRow::key, Keys::compare);

    private final Map<String, List<IndexRow>> rows = new ConcurrentHashMap<>();
    /** Every query the service was asked, in order. */
    final List<IndexQuery> asked = new CopyOnWriteArrayList<>();
    /** When set, every query fails with it. */
    volatile RuntimeException failure;

    /** Makes {@code index} hold {@code indexRows} (replacing what it held). */
    void put(String index, List<IndexRow> indexRows) {
        List<IndexRow> sorted = new ArrayList<>(indexRows);
        sorted.sort(ORDER);
        rows.put(index, List.copyOf(sorted));
    }

    @Override
    public CompletionStage<IndexPage> query(IndexQuery query) {
        asked.add(query);
        return CompletableFuture.supplyAsync(() -> answer(query));
    }

    private IndexPage answer(IndexQuery q) {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
        List<IndexRow> all = rows.get(q.index());
        if (all == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "no index named '" + q.index() + "'");
        }
        List<IndexRow> page = new ArrayList<>();
        for (IndexRow row : all) {
            if (!matches(q, row) || (q.after() != null && !isAfter(row, q.after()))) {
                continue;
            }
            if (page.size() == q.limit()) {
                return new IndexPage(page, cursorAfter(page.get(page.size() - 1)));
            }
            page.add(q.keysOnly() ? new IndexRow(row.key(), row.indexValue(), null) : row);
        }
        return new IndexPage(page, null);
    }

    private static boolean matches(IndexQuery q, IndexRow row) {
        String v = row.indexValue();
        if (q.eq() != null) {
            return v.equals(q.eq());
        }
        return (q.from() == null || v.compareTo(q.from()) >= 0) && (q.to() == null || v.compareTo(q.to()) <= 0);
    }

    static String cursorAfter(IndexRow row) {
        return row.indexValue() + "\n" + Keys.string(row.key());
    }

    private static boolean isAfter(IndexRow row, String cursor) {
        int cut = cursor.lastIndexOf('\n');
        if (cut < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "not a cursor: " + cursor);
        }
        IndexRow last = new IndexRow(Keys.utf8(cursor.substring(cut + 1)), cursor.substring(0, cut), null);
        return ORDER.compare(row, last) > 0;
    }

    @Override
    public IndexInfo create(String name, String extractor, IndexType type) {
        throw new UnsupportedOperationException("not served by the test double");
    }

    @Override
    public void drop(String name) {
        throw new UnsupportedOperationException("not served by the test double");
    }

    @Override
    public List<IndexInfo> list() {
        return List.of();
    }
}

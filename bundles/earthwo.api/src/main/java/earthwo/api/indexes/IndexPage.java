package earthwo.api.indexes;

import java.util.List;

/**
 * A page of an index query's rows in (index value, key) order, and the cursor that continues after
 * its last row ({@link IndexQuery#after}), or null when the query has no more rows.
 */
public record IndexPage(List<IndexRow> rows, String cursor) {

    public IndexPage {
        rows = List.copyOf(rows);
    }

    /** Whether the query has more rows after this page. */
    public boolean hasMore() {
        return cursor != null;
    }
}

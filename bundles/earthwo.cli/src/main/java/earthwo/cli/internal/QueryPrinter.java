package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.Record;
import earthwo.api.client.KvClient;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Prints the rows of an index query, one line each, as {@code scan} prints records: the key's and
 * the value's bytes as they are, TAB between the columns ({@code KEY<TAB>INDEX VALUE<TAB>VALUE},
 * without the last column for keys only). When rows remain, the line {@code # next: --after CURSOR}
 * goes to stderr, so stdout holds rows only and a script can read the cursor to page on; with
 * {@code all}, pages follow each other until none remain, printed as they arrive.
 */
final class QueryPrinter {

    static final String NEXT = "# next: --after ";

    private final PrintStream out;
    private final PrintStream err;

    QueryPrinter(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    void print(KvClient client, QueryArgs args) {
        IndexQuery query = args.query;
        while (true) {
            IndexPage page;
            try {
                page = client.query(query);
            } catch (EarthwoException e) {
                if (query != args.query) {
                    // The rows so far are printed: say where to resume before the error ends the command.
                    next(query.after());
                }
                throw e;
            }
            for (IndexRow row : page.rows()) {
                print(row);
            }
            out.flush();
            if (!page.hasMore()) {
                return;
            }
            if (!args.all) {
                next(page.cursor());
                return;
            }
            query = query.after(page.cursor());
        }
    }

    private void print(IndexRow row) {
        out.write(row.key(), 0, row.key().length);
        out.print('\t');
        byte[] indexValue = row.indexValue().getBytes(StandardCharsets.UTF_8);
        out.write(indexValue, 0, indexValue.length);
        Record record = row.record();
        if (record != null) {
            out.print('\t');
            out.write(record.value(), 0, record.value().length);
        }
        out.println();
    }

    private void next(String cursor) {
        err.println(NEXT + cursor);
        err.flush();
    }
}

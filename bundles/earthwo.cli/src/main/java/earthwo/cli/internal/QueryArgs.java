package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.indexes.IndexQuery;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code query NAME [--eq VALUE | --from A --to B] [--limit N] [--after CURSOR]
 * [--keys-only] [--all]}. Everything {@link IndexQuery} would refuse is a usage error here (exit 64),
 * so a mistyped query never reaches the cluster.
 */
final class QueryArgs {

    static final String USAGE = "query NAME [--eq VALUE | --from A --to B] [--limit N] [--after CURSOR] [--keys-only] [--all]";

    /** The first page to ask for. */
    final IndexQuery query;
    /** Page on until the query has no more rows. */
    final boolean all;

    private QueryArgs(IndexQuery query, boolean all) {
        this.query = query;
        this.all = all;
    }

    static QueryArgs parse(List<String> args) {
        String eq = null;
        String from = null;
        String to = null;
        String after = null;
        Integer limit = null;
        boolean keysOnly = false;
        boolean all = false;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--eq" -> eq = once(eq, value(args, ++i, a), a);
                case "--from" -> from = once(from, value(args, ++i, a), a);
                case "--to" -> to = once(to, value(args, ++i, a), a);
                case "--after" -> after = once(after, value(args, ++i, a), a);
                case "--limit" -> limit = once(limit, limit(value(args, ++i, a)), a);
                case "--keys-only" -> keysOnly = true;
                case "--all" -> all = true;
                default -> {
                    if (a.startsWith("--")) {
                        throw new UsageException("unknown option '" + a + "'; usage: " + USAGE);
                    }
                    names.add(a);
                }
            }
        }
        if (names.size() != 1) {
            throw new UsageException((names.isEmpty() ? "no index name given" : "one index name, not " + names)
                    + "; usage: " + USAGE);
        }
        if (eq != null && (from != null || to != null)) {
            throw new UsageException("--eq and --from/--to exclude each other; usage: " + USAGE);
        }
        try {
            IndexQuery q = eq != null ? IndexQuery.eq(names.get(0), eq) : IndexQuery.range(names.get(0), from, to);
            return new QueryArgs(q.limit(limit == null ? IndexQuery.DEFAULT_LIMIT : limit).after(after).keysOnly(keysOnly), all);
        } catch (EarthwoException e) {
            throw new UsageException(e.detail());
        }
    }

    private static int limit(String text) {
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException("--limit needs a number, not '" + text + "'");
        }
        if (n < 1 || n > IndexQuery.MAX_LIMIT) {
            throw new UsageException("--limit must be 1 to " + IndexQuery.MAX_LIMIT + ", not " + text);
        }
        return (int) n;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    private static <T> T once(T earlier, T value, String option) {
        if (earlier != null) {
            throw new UsageException(option + " given twice");
        }
        return value;
    }
}

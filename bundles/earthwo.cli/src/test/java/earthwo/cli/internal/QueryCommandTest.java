package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.client.testing.FakeNodeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code earthwo query}: its arguments, its lines, the {@code # next:} line and {@code --all}, against a fake node. */
class QueryCommandTest {

    private static final Version V = new Version(7, 1);

    private FakeNodeServer server;
    private final Map<String, String> env = new HashMap<>();
    private String out;
    private String err;

    @BeforeEach
    void start() throws Exception {
        server = new FakeNodeServer(1);
        server.indexRows.put("email", List.of(row("user:1", "ada@x", "{\"name\":\"Ada\"}"),
                row("user:2", "bob@x", "{\"name\":\"Bob\"}"), row("user:3", "bob@x", "{\"name\":\"Bo\u00eb\"}"),
                row("user:4", "cy@x", "{}")));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static IndexRow row(String key, String indexValue, String value) {
        return new IndexRow(Keys.utf8(key), indexValue, Record.value(Keys.utf8(key), Keys.utf8(value), V, 0));
    }

    /** Runs {@code earthwo -s NODE query ARGS...}; keeps stdout and stderr. */
    private int query(String... args) {
        List<String> all = new ArrayList<>(List.of("-s", server.address(), "query"));
        all.addAll(List.of(args));
        return cli(all.toArray(new String[0]));
    }

    private int cli(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            rc = new EarthwoCli(env, new ByteArrayInputStream(new byte[0]), po, pe, false).execute(args);
        }
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return rc;
    }

    private String cursorAfter(String key, String indexValue) {
        return FakeNodeServer.cursorAfter(new IndexRow(Keys.utf8(key), indexValue, null));
    }

    @Test
    void anExactMatchPrintsKeyIndexValueAndValueLines() {
        assertEquals(0, query("email", "--eq", "bob@x"));
        assertEquals("user:2\tbob@x\t{\"name\":\"Bob\"}\nuser:3\tbob@x\t{\"name\":\"Bo\u00eb\"}\n", out);
        assertEquals("", err);
    }

    @Test
    void keysOnlyPrintsKeyAndIndexValue() {
        assertEquals(0, query("--keys-only", "email", "--from", "b"));
        assertEquals("user:2\tbob@x\nuser:3\tbob@x\nuser:4\tcy@x\n", out);
        assertTrue(server.lastDataRequest.query().keysOnly(), "the values are not even sent");
    }

    @Test
    void aRangeMayLeaveEitherSideOpenOrBoth() {
        assertEquals(0, query("email", "--to", "b", "--keys-only"));
        assertEquals("user:1\tada@x\n", out);
        assertEquals(0, query("email", "--from", "bob@x", "--to", "bob@x", "--keys-only"));
        assertEquals("user:2\tbob@x\nuser:3\tbob@x\n", out);
        assertEquals(0, query("email", "--keys-only"));
        assertEquals(4, out.lines().count(), "no bounds: the whole index");
    }

    @Test
    void anEmptyResultIsNoLinesAndExitZero() {
        assertEquals(0, query("email", "--eq", "nobody@x"));
        assertEquals("", out);
        assertEquals("", err);
    }

    @Test
    void whenRowsRemainTheLastLineOnStderrSaysHowToReadOn() {
        assertEquals(0, query("email", "--limit", "3", "--keys-only"));
        assertEquals("user:1\tada@x\nuser:2\tbob@x\nuser:3\tbob@x\n", out);
        String cursor = cursorAfter("user:3", "bob@x");
        assertEquals("# next: --after " + cursor + "\n", err);

        assertEquals(0, query("email", "--limit", "3", "--keys-only", "--after", cursor));
        assertEquals("user:4\tcy@x\n", out);
        assertEquals("", err, "the last page has no next line");
        assertEquals(cursor, server.lastDataRequest.query().after());
    }

    @Test
    void allReadsEveryPage() {
        assertEquals(0, query("email", "--all", "--limit", "1"));
        assertEquals(4, out.lines().count(), out);
        assertTrue(out.startsWith("user:1\tada@x\t"), out);
        assertTrue(out.endsWith("user:4\tcy@x\t{}\n"), out);
        assertEquals("", err);
        assertEquals(4, server.queries.get(), "one request per page of one row");
        assertEquals(1, server.lastDataRequest.query().limit());
    }

    @Test
    void allThatFailsMidwaySaysWhereToResumeThenTheError() {
        server.queryErrorAfter = 2;
        server.queryError = new EarthwoException(ErrorCode.PARTIAL_RESULT, "no replica of segment 5 answered");
        assertEquals(2, query("email", "--all", "--limit", "1", "--keys-only"));
        assertEquals("user:1\tada@x\nuser:2\tbob@x\n", out);
        assertEquals("# next: --after " + cursorAfter("user:2", "bob@x") + "\n"
                + "earthwo: PARTIAL_RESULT: no replica of segment 5 answered\n", err);
    }

    @Test
    void theNodesTypedErrorIsExitTwoWithOneLine() {
        assertEquals(2, query("nope", "--eq", "x"));
        assertEquals("", out);
        assertEquals("earthwo: BAD_REQUEST: no index named 'nope'\n", err);
        server.indexesRunning = false;
        assertEquals(2, query("--timeout", "300", "email", "--eq", "x"));
        assertTrue(err.startsWith("earthwo: UNAVAILABLE: secondary indexes are not running on this node"), err);
    }

    @Test
    void badArgumentsAreUsageErrorsAndNeverReachTheNode() {
        String[][] bad = {
                {},
                {"--eq", "x"},
                {"email", "other"},
                {"email", "--eq", "x", "--from", "a"},
                {"email", "--eq", "x", "--to", "z"},
                {"email", "--eq"},
                {"email", "--eq", "x", "--eq", "y"},
                {"email", "--limit", "0"},
                {"email", "--limit", "10001"},
                {"email", "--limit", "many"},
                {"email", "--after"},
                {"email", "--sort"},
                {"n".repeat(IndexQuery.MAX_NAME_CHARS + 1), "--eq", "x"},
                {"email", "--eq", "x".repeat(IndexQuery.MAX_BOUND_BYTES + 1)},
        };
        for (String[] args : bad) {
            assertEquals(64, query(args), String.join(" ", args));
            assertTrue(err.startsWith("earthwo: ") && err.contains("run 'earthwo help' for usage"), err);
            assertEquals("", out);
        }
        assertEquals(0, server.queries.get(), "no query was sent");
    }

    @Test
    void usageMessagesSayWhatIsWrong() {
        query("email", "--eq", "x", "--from", "a");
        assertTrue(err.startsWith("earthwo: --eq and --from/--to exclude each other; usage: query NAME"), err);
        query("--eq", "x");
        assertTrue(err.startsWith("earthwo: no index name given; usage: query NAME"), err);
        query("email", "--limit", "10001");
        assertTrue(err.startsWith("earthwo: --limit must be 1 to 10000, not 10001"), err);
    }

    @Test
    void helpListsTheCommand() {
        assertEquals(0, cli("help"));
        assertTrue(out.contains("  query NAME [--eq VALUE | --from A --to B] [--limit N] [--after CURSOR] [--keys-only] [--all]"), out);
        assertTrue(out.contains("'# next: --after CURSOR'"), out);
    }
}

package earthwo.cli.internal;

import earthwo.api.Expiry;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.client.testing.FakeNodeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarthwoCliTest {

    @TempDir
    Path dir;

    private FakeNodeServer server;
    private final Map<String, String> env = new HashMap<>();
    private String out;
    private String err;

    @BeforeEach
    void start() throws Exception {
        server = new FakeNodeServer(1);
        Files.writeString(dir.resolve("endpoint"), server.address() + "\n");
        Files.writeString(dir.resolve("admin.secret"), "admin\n");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int cli(String... args) {
        return cliWithInput("", args);
    }

    private int cliWithInput(String input, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            rc = new EarthwoCli(env, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), po, pe, false)
                    .execute(args);
        }
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return rc;
    }

    private String data() {
        return dir.toString();
    }

    @Test
    void putGetDelScanThroughTheEndpointFile() {
        assertEquals(0, cli("--data", data(), "put", "greeting", "hello world"));
        assertTrue(out.strip().matches("\\d+\\.\\d+@1"), out);
        assertEquals(0, cli("--data", data(), "get", "greeting"));
        assertEquals("hello world\n", out);
        assertEquals("", err);
        assertEquals(0, cli("--data", data(), "put", "greet2", "hi", "--ttl", "60000", "--w", "quorum"));
        assertEquals(0, cli("--data", data(), "scan", "greet"));
        assertEquals("greet2\thi\ngreeting\thello world\n", out);
        assertEquals(0, cli("--data", data(), "scan", "greet", "--limit", "1"));
        assertEquals("greet2\thi\n", out);
        assertEquals(0, cli("--data", data(), "del", "greeting"));
        assertEquals("1\n", out);
        assertEquals(0, cli("--data", data(), "del", "greeting"));
        assertEquals("0\n", out);
    }

    @Test
    void getOfAnAbsentKeyExitsOneWithNothingOnStdout() {
        assertEquals(1, cli("--data", data(), "get", "nope"));
        assertEquals("", out);
        assertEquals("", err);
    }

    @Test
    void seedsOptionWinsOverTheEndpointFile() {
        assertEquals(0, cli("-s", server.address(), "--data", dir.resolve("missing").toString(), "ping"));
        assertEquals("PONG\n", out);
        assertEquals(0, cli("ping", "-s", "127.0.0.1:1," + server.address()));
        assertEquals("PONG\n", out);
    }

    @Test
    void unreachableNodeIsExitTwoWithOneLineOnStderr() {
        server.kill();
        assertEquals(2, cli("--data", data(), "--timeout", "300", "get", "k"));
        assertEquals("", out);
        assertTrue(err.startsWith("earthwo: UNAVAILABLE: "), err);
        assertEquals(1, err.strip().lines().count(), err);
        assertFalse(err.contains("\tat "), "no stack trace");
    }

    @Test
    void debugPrintsTheStackTrace() {
        server.kill();
        env.put("EARTHWO_DEBUG", "1");
        assertEquals(2, cli("--data", data(), "--timeout", "300", "get", "k"));
        assertTrue(err.contains("\tat "), err);
    }

    @Test
    void usageErrorsExitSixtyFour() {
        assertEquals(64, cli());
        assertEquals(64, cli("frobnicate"));
        assertEquals(64, cli("--data", data(), "get"));
        assertEquals(64, cli("--data", data(), "put", "k"));
        assertEquals(64, cli("--data", data(), "put", "k", "v", "--w", "2"));
        assertEquals(64, cli("--data", data(), "put", "k", "v", "--ttl", "soon"));
        assertEquals(64, cli("--data", data(), "scan", "p", "--limit", "10001"));
        assertEquals(64, cli("-s", "nohostport", "ping"));
        assertEquals(64, cli("-s"));
        assertEquals(64, cli("--data", data(), "bench", "-t", "incr"));
        assertTrue(err.startsWith("earthwo: "), err);
        assertEquals("", out);
    }

    @Test
    void helpPrintsUsage() {
        assertEquals(0, cli("help"));
        assertTrue(out.contains("usage: earthwo"));
        for (String command : new String[]{"expire KEY MS", "expireat KEY EPOCH_MS", "ttl KEY", "persist KEY",
                "--keep-ttl", "--expire-at EPOCH_MS", "--with-ttl"}) {
            assertTrue(out.contains(command), command);
        }
    }

    // ---------------------------------------------------------------- expiry

    private static final long NODE_NOW = 1_700_000_000_000L;

    /** Runs the command; asserts its exit code and its whole stdout (one line). */
    private void expect(int exitCode, String stdoutLine, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--data";
        all[1] = data();
        System.arraycopy(args, 0, all, 2, args.length);
        assertEquals(exitCode, cli(all), String.join(" ", args) + ": " + err);
        assertEquals(stdoutLine + "\n", out, String.join(" ", args));
        assertEquals("", err, String.join(" ", args));
    }

    @Test
    void expiryCommandsOnAnAbsentKeyPrintZeroOrMinusTwoAndExitOne() {
        expect(1, "-2", "ttl", "nope");
        expect(1, "0", "expire", "nope", "1000");
        expect(1, "0", "expireat", "nope", "253402300799999");
        expect(1, "0", "persist", "nope");
        assertTrue(server.contents().isEmpty(), "nothing was created");
    }

    @Test
    void expireTtlAndPersistRoundTrip() {
        server.wallClock = () -> NODE_NOW;
        assertEquals(0, cli("--data", data(), "put", "k", "v"));
        expect(0, "-1", "ttl", "k");
        expect(0, "0", "persist", "k");
        expect(0, "1", "expire", "k", "60000");
        expect(0, "60000", "ttl", "k");
        expect(0, "1", "expireat", "k", String.valueOf(NODE_NOW + 5000));
        expect(0, "5000", "ttl", "k");
        expect(0, "1", "persist", "k");
        expect(0, "-1", "ttl", "k");
        expect(0, "v", "get", "k");
    }

    @Test
    void aTimeNotInTheFutureDeletesTheKeyAndPrintsOne() {
        server.wallClock = () -> NODE_NOW;
        for (String[] command : new String[][]{{"expire", "k", "0"}, {"expireat", "k", String.valueOf(NODE_NOW)},
                {"expireat", "k", "1"}, {"expireat", "k", "0"}}) {
            assertEquals(0, cli("--data", data(), "put", "k", "v"));
            expect(0, "1", command);
            expect(1, "-2", "ttl", "k");
            assertEquals(1, cli("--data", data(), "get", "k"), String.join(" ", command));
        }
    }

    @Test
    void expiryWritesTakeAWriteConcern() {
        assertEquals(0, cli("--data", data(), "put", "k", "v"));
        expect(0, "1", "expire", "k", "60000", "--w", "all");
        assertEquals(WriteConcern.ALL, server.lastDataRequest.concern());
        expect(0, "1", "persist", "k", "--w", "1");
        assertEquals(WriteConcern.ONE, server.lastDataRequest.concern());
        expect(0, "1", "expireat", "k", "253402300799999", "--w", "quorum");
        assertEquals(WriteConcern.QUORUM, server.lastDataRequest.concern());
    }

    @Test
    void putExpiresAtAnEpochTimeOrKeepsTheKeysExpiry() {
        server.wallClock = () -> NODE_NOW;
        assertEquals(0, cli("--data", data(), "put", "k", "v1", "--expire-at", String.valueOf(NODE_NOW + 10_000)));
        expect(0, "10000", "ttl", "k");
        assertEquals(0, cli("--data", data(), "put", "k", "v2", "--keep-ttl"));
        assertEquals(WriteOptions.KEEP_TTL, server.lastDataRequest.expiresAt(), "keep-ttl goes to the node as -1");
        expect(0, "10000", "ttl", "k");
        expect(0, "v2", "get", "k");
        assertEquals(0, cli("--data", data(), "put", "k", "v3"));
        expect(0, "-1", "ttl", "k");
        assertEquals(0, cli("--data", data(), "put", "new", "v", "--keep-ttl"));
        expect(0, "-1", "ttl", "new");
    }

    @Test
    void putTtlCountsFromThisMachinesClock() {
        long before = System.currentTimeMillis();
        assertEquals(0, cli("--data", data(), "put", "k", "v", "--ttl", "60000"));
        long expiresAt = server.lastDataRequest.expiresAt();
        assertTrue(expiresAt >= before + 60_000 && expiresAt <= System.currentTimeMillis() + 60_000, "" + expiresAt);
        assertEquals(0, cli("--data", data(), "ttl", "k"));
        long left = Long.parseLong(out.strip());
        assertTrue(left > 50_000 && left <= 60_000, out);
    }

    @Test
    void putWithAnExpiryInThePastIsTheNodesBadRequest() {
        assertEquals(2, cli("--data", data(), "put", "k", "v", "--expire-at", "1"));
        assertTrue(err.startsWith("earthwo: BAD_REQUEST: "), err);
        assertEquals("", out);
    }

    @Test
    void scanWithTtlAddsTheMillisecondsLeft() {
        assertEquals(0, cli("--data", data(), "put", "a", "1", "--ttl", "60000"));
        assertEquals(0, cli("--data", data(), "put", "b", "2"));
        assertEquals(0, cli("--data", data(), "scan", "", "--with-ttl"));
        String[] lines = out.split("\n");
        assertEquals(2, lines.length, out);
        String[] a = lines[0].split("\t");
        assertEquals("a", a[0]);
        assertEquals("1", a[1]);
        long left = Long.parseLong(a[2]);
        assertTrue(left > 50_000 && left <= 60_000, out);
        assertEquals("b\t2\t-1", lines[1]);
        assertEquals(0, cli("--data", data(), "scan", "b", "--limit", "5"));
        assertEquals("b\t2\n", out, "two columns without --with-ttl");
    }

    @Test
    void remainingTimeOfAScannedRecordIsNeverNegativeButMinusOneWithoutExpiry() {
        Version v = new Version(1, 1);
        assertEquals(-1, EarthwoCli.remainingMillis(Record.value(Keys.utf8("k"), new byte[0], v, Record.NEVER), 500));
        assertEquals(250, EarthwoCli.remainingMillis(Record.value(Keys.utf8("k"), new byte[0], v, 750), 500));
        assertEquals(0, EarthwoCli.remainingMillis(Record.value(Keys.utf8("k"), new byte[0], v, 400), 500),
                "live on the node, past by this clock");
    }

    @Test
    void badTimesAreUsageErrorsAndNeverReachTheNode() {
        String[][] bad = {
                {"put", "k", "v", "--ttl", "5", "--keep-ttl"},
                {"put", "k", "v", "--expire-at", "253402300799999", "--ttl", "5"},
                {"put", "k", "v", "--keep-ttl", "--expire-at", "253402300799999"},
                {"put", "k", "v", "--ttl", "0"},
                {"put", "k", "v", "--ttl", "-5"},
                {"put", "k", "v", "--ttl", "253402300799999"},
                {"put", "k", "v", "--expire-at", "0"},
                {"put", "k", "v", "--expire-at", "253402300800000"},
                {"put", "k", "v", "--expire-at", "tomorrow"},
                {"put", "k", "v", "--expire-at"},
                {"expire", "k"},
                {"expire", "k", "abc"},
                {"expire", "k", "-1"},
                {"expire", "k", "1.5"},
                {"expire", "k", "99999999999999999999"},
                {"expire", "k", "253402300799999"},
                {"expire", "k", "5", "--w", "2"},
                {"expire", "k", "5", "extra"},
                {"expireat", "k", "-1"},
                {"expireat", "k", "253402300800000"},
                {"expireat", "k", "noon"},
                {"ttl"},
                {"ttl", "a", "b"},
                {"persist"},
                {"persist", "k", "--ttl", "5"},
                {"scan", "a", "b", "--with-ttl"},
        };
        for (String[] args : bad) {
            String[] all = new String[args.length + 2];
            all[0] = "--data";
            all[1] = data();
            System.arraycopy(args, 0, all, 2, args.length);
            assertEquals(64, cli(all), String.join(" ", args));
            assertTrue(err.startsWith("earthwo: ") && err.contains("run 'earthwo help' for usage"), err);
            assertEquals("", out);
        }
        assertEquals(0, server.received(), "no request was sent");
    }

    @Test
    void usageMessagesSayWhatIsWrong() {
        assertEquals(64, cli("--data", data(), "expire", "k", "soon"));
        assertTrue(err.startsWith("earthwo: MS needs a number of milliseconds, not 'soon'"), err);
        assertEquals(64, cli("--data", data(), "expire", "k", "-3"));
        assertTrue(err.startsWith("earthwo: MS must be 0 or more milliseconds ending by year 9999, not -3"), err);
        assertEquals(64, cli("--data", data(), "expireat", "k", "99999999999999999999"));
        assertTrue(err.startsWith("earthwo: EPOCH_MS is too large: 99999999999999999999"), err);
        assertEquals(64, cli("--data", data(), "put", "k", "v", "--ttl", "5", "--keep-ttl"));
        assertTrue(err.startsWith("earthwo: --ttl and --keep-ttl exclude each other"), err);
        assertEquals(64, cli("--data", data(), "put", "k", "v", "--expire-at", "0"));
        assertTrue(err.startsWith("earthwo: --expire-at must be an epoch time in milliseconds from 1 to "
                + Expiry.MAX_EXPIRES_AT), err);
    }

    @Test
    void theNodesTypedRefusalIsExitTwo() {
        server.wallClock = () -> Expiry.MAX_EXPIRES_AT - 10;
        assertEquals(0, cli("--data", data(), "put", "k", "v"));
        // valid by this machine's clock, past year 9999 by the node's
        assertEquals(2, cli("--data", data(), "expire", "k", "1000"));
        assertTrue(err.startsWith("earthwo: BAD_REQUEST: "), err);
        assertEquals(1, err.strip().lines().count(), err);
        assertEquals("", out);
    }

    @Test
    void statusPrintsNameValueLines() {
        assertEquals(0, cli("--data", data(), "status"));
        assertTrue(out.contains("node.id: 1\n"), out);
    }

    @Test
    void execReadsTheAdminSecretFileAndExitsTwoWhenTheCommandFails() throws Exception {
        assertEquals(0, cli("--data", data(), "exec", "node:status"));
        assertEquals("ran node:status\n", out);
        assertEquals(2, cli("--data", data(), "exec", "fail", "this"));
        assertTrue(err.startsWith("earthwo: command failed: "), err);
        Files.writeString(dir.resolve("admin.secret"), "wrong");
        assertEquals(2, cli("--data", data(), "exec", "node:status"));
        assertTrue(err.startsWith("earthwo: AUTH: "), err);
        env.put("EARTHWO_ADMIN_SECRET", "admin");
        assertEquals(0, cli("--data", data(), "exec", "node:status"));
    }

    @Test
    void shellRunsEachLineFromAPipe() {
        assertEquals(0, cliWithInput("kv:get a\n\nnode:status\nexit\nnever:run\n", "--data", data(), "shell"));
        assertEquals("ran kv:get a\nran node:status\n", out);
        assertEquals(2, cliWithInput("fail one\nkv:put a b", "--data", data(), "shell"));
        assertEquals("ran kv:put a b\n", out);
        assertTrue(err.startsWith("earthwo: command failed:"), err);
    }

    @Test
    void secretComesFromTheOptionOrTheEnvironment() {
        server.secret = "s3";
        assertEquals(2, cli("--data", data(), "ping", "--secret", "bad"));
        assertTrue(err.startsWith("earthwo: AUTH: "), err);
        assertEquals(0, cli("--data", data(), "put", "k", "v", "--secret", "s3"));
        env.put("EARTHWO_SECRET", "s3");
        assertEquals(0, cli("--data", data(), "get", "k"));
        assertEquals("v\n", out);
    }

    @Test
    void benchAgainstTheNodePrintsCsv() {
        assertEquals(0, cli("--data", data(), "bench", "-t", "set,get", "-n", "2000", "-c", "4", "-P", "4",
                "-d", "10", "-r", "100", "--csv"));
        String[] lines = out.split("\n");
        assertEquals(3, lines.length, out);
        assertEquals(BenchResult.CSV_HEADER, lines[0]);
        assertTrue(lines[1].matches("\"SET\",\"\\d+\\.\\d{2}\"(,\"\\d+\\.\\d{3}\"){6}"), lines[1]);
        assertTrue(lines[2].startsWith("\"GET\","), lines[2]);
        assertTrue(server.contents().size() <= 100 && server.contents().keySet().iterator().next().matches("key:\\d{12}"));
    }

    @Test
    void benchQuietAndSummary() {
        assertEquals(0, cli("bench", "-p", String.valueOf(server.port()), "-h", "127.0.0.1", "-t", "set",
                "-n", "500", "-c", "2", "-q"));
        assertTrue(out.matches("SET: \\d+\\.\\d{2} requests per second, p50=\\d+\\.\\d{3} msec\n"), out);
        assertEquals(1, server.contents().size(), "without -r every request uses one key");
        assertTrue(server.contents().containsKey("key:__rand_int__"));
        assertEquals(0, cli("--data", data(), "bench", "-t", "get,ping", "-n", "300", "-c", "3"));
        assertTrue(out.contains("====== GET ======\n  300 requests completed in "), out);
        assertTrue(out.contains("====== PING_MBULK ======"), out);
        assertTrue(out.contains("  throughput summary: "), out);
    }
}

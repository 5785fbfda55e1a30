package earthwo.cli.internal;

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

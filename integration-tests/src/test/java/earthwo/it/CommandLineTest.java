package earthwo.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's commands against a node started by {@code bin/earthwo},
 * with the exit codes scripts rely on.
 */
class CommandLineTest {

    @TempDir
    static Path data;

    private static NodeProcess node;

    @BeforeAll
    static void start() throws Exception {
        node = new NodeProcess(data).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static NodeProcess.ProcessResult earthwo(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--data";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return node.earthwo(all);
    }

    @Test
    void aRefusedSettingFailsStartWithTheReasonAndLeavesNoNode(@TempDir Path other) throws Exception {
        NodeProcess refused = new NodeProcess(other);
        try {
            NodeProcess.ProcessResult r = refused.earthwo("start", "--data", other.toString(),
                    "--port", String.valueOf(refused.port()), "-Dearthwo.cluster.replicas=0");
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.output().contains("a setting was refused: earthwo.cluster.replicas must be >= 1, not 0"), r.output());
            assertFalse(refused.isAlive(), "the half-started node was stopped");
            assertEquals(3, refused.earthwo("status", "--data", other.toString()).exitCode(), "status: not running");

            NodeProcess.ProcessResult anyPort = refused.earthwo("start", "--data", other.toString(), "--port", "0");
            assertEquals(2, anyPort.exitCode(), anyPort.output());
            assertTrue(anyPort.output().contains("--port must be 1..65535"), anyPort.output());
        } finally {
            refused.close();
        }
    }

    @Test
    void putGetDelWithScriptableExitCodes() throws Exception {
        assertEquals(0, earthwo("put", "cli:greeting", "hello world").exitCode());
        NodeProcess.ProcessResult get = earthwo("get", "cli:greeting");
        assertEquals(0, get.exitCode());
        assertEquals("hello world\n", get.output());

        NodeProcess.ProcessResult absent = earthwo("get", "cli:nothing-here");
        assertEquals(1, absent.exitCode());
        assertEquals("", absent.output(), "an absent key prints nothing");

        assertEquals("1\n", earthwo("del", "cli:greeting").output());
        assertEquals(1, earthwo("get", "cli:greeting").exitCode());
        assertEquals("0\n", earthwo("del", "cli:greeting").output());
    }

    @Test
    void errorsExitTwoWithAMessage() throws Exception {
        NodeProcess.ProcessResult tooBig = earthwo("put", "x".repeat(2000), "v");
        assertEquals(2, tooBig.exitCode());
        assertTrue(tooBig.output().contains("TOO_LARGE"), tooBig.output());

        NodeProcess.ProcessResult noNode = node.earthwo("-s", "127.0.0.1:1", "get", "k");
        assertEquals(2, noNode.exitCode());
        assertTrue(noNode.output().contains("UNAVAILABLE"), noNode.output());
    }

    @Test
    void scanListsKeysInOrderUpToTheLimit() throws Exception {
        for (String k : new String[]{"scan:c", "scan:a", "scan:b", "other"}) {
            assertEquals(0, earthwo("put", k, "v-" + k).exitCode());
        }
        NodeProcess.ProcessResult scan = earthwo("scan", "scan:", "--limit", "2");
        assertEquals(0, scan.exitCode());
        assertEquals("scan:a\tv-scan:a\nscan:b\tv-scan:b\n", scan.output());
    }

    @Test
    void ttlExpiresKeys() throws Exception {
        // The CLI turns --ttl into an absolute expiry with its own clock, and the node refuses an
        // expiry already past when the write arrives: 2 s leaves room for a slow JVM start.
        NodeProcess.ProcessResult put = earthwo("put", "cli:ttl", "soon-gone", "--ttl", "2000");
        assertEquals(0, put.exitCode(), put.output());
        long deadline = System.nanoTime() + 20_000_000_000L;
        int code;
        do {
            code = earthwo("get", "cli:ttl").exitCode();
        } while (code == 0 && System.nanoTime() < deadline);
        assertEquals(1, code, "key still readable 20 s after a 2 s TTL");
    }

    @Test
    void gogoCommandsReachTheBackgroundNode() throws Exception {
        assertEquals(0, earthwo("exec", "kv:put shell:k from-gogo").exitCode());
        NodeProcess.ProcessResult get = earthwo("get", "shell:k");
        assertEquals("from-gogo\n", get.output());

        NodeProcess.ProcessResult status = earthwo("exec", "node:status");
        assertEquals(0, status.exitCode());
        assertTrue(status.output().contains("storage.records"), status.output());
        assertTrue(status.output().contains("cluster."), status.output());

        NodeProcess.ProcessResult unknown = earthwo("exec", "no:such-command");
        assertEquals(2, unknown.exitCode());
    }

    @Test
    void execWithoutTheAdminSecretIsRefused() throws Exception {
        NodeProcess.ProcessResult r = node.earthwo("-s", node.endpoint(), "--data", "/nonexistent", "exec", "node:status");
        assertEquals(2, r.exitCode());
        assertTrue(r.output().contains("AUTH") || r.output().contains("secret"), r.output());
    }

    @Test
    void statusReportsTheRunningNode() throws Exception {
        NodeProcess.ProcessResult status = node.earthwo("status", "--data", data.toString());
        assertEquals(0, status.exitCode());
        assertTrue(status.output().contains(node.endpoint()), status.output());
    }
}

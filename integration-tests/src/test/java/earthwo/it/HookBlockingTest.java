package earthwo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Keys;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.testing.Poll;
import earthwo.client.EarthwoClients;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook that hangs slows nothing but itself: a node started with
 * {@code -Dearthwo.example.hook.block=true} gets the example hook bundle in its deploy/, which then
 * registers, besides {@code example}, a hook {@code blocking} whose deliver never returns. Puts
 * go on as fast as before, the blocking hook's pending count grows while the example hook on the
 * same node delivers everything, hook:pause and hook:resume of the blocking hook are taken and
 * shown, and {@code bin/earthwo stop} stops the node with the hook's thread still stuck.
 */
class HookBlockingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int BATCH = 2_000;

    @TempDir
    Path data;

    @TempDir
    Path deploy;

    @Test
    void aHookThatNeverReturnsHoldsBackOnlyItself() throws Exception {
        Path jar = Paths.get(System.getProperty("earthwo.example.hook.jar",
                "target/plugins/earthwo.example.hook.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "no example hook jar at " + jar);
        NodeProcess node = new NodeProcess(data, NodeProcess.freePort());
        try {
            node.start("-Dearthwo.storage.outbox.enabled=true", "-Dfelix.fileinstall.dir=" + deploy,
                    "-Dearthwo.example.hook.block=true");
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint())
                    .withRequestTimeout(Duration.ofSeconds(10)))) {
                puts(client, "warm:", BATCH);
                double[] before = puts(client, "before:", BATCH);

                Files.copy(jar, deploy.resolve("earthwo.example.hook.jar"));
                // The blocking hook may already show "stuck" (inside deliver beyond its timeout).
                Poll.until("hook:list shows example active and blocking active or stuck", WAIT,
                        () -> "active".equals(facts(node, "example").get("state"))
                                && List.of("active", "stuck").contains(facts(node, "blocking").get("state")));
                // The blocking hook's thread is inside deliver for good once it has had a batch.
                Poll.until("the example hook delivered the events of before the install", WAIT,
                        () -> logged().containsAll(keys("before:", BATCH)));

                double[] with = puts(client, "with:", BATCH);
                System.out.printf("hook blocking: %d puts before the install: mean %.2f ms, max %.1f ms; with the blocking"
                        + " hook installed: mean %.2f ms, max %.1f ms%n", BATCH, before[0], before[1], with[0], with[1]);
                assertTrue(with[0] < 3 * before[0] + 0.5, "puts slowed by the blocking hook: mean " + with[0]
                        + " ms, " + before[0] + " ms before");
                assertTrue(with[1] < 10_000, "a put took " + with[1] + " ms");

                Poll.until("the example hook delivers every put made with the blocking hook installed", WAIT,
                        () -> logged().containsAll(keys("with:", BATCH)));
                Poll.until("the example hook has nothing pending", WAIT, () -> "0".equals(facts(node, "example").get("pending")));
                long pendingBefore = pending(facts(node, "blocking"));
                assertTrue(pendingBefore >= 2L * BATCH, "the blocking hook's pending: " + pendingBefore);
                Map<String, String> blocked = facts(node, "blocking");
                assertEquals("0", blocked.get("delivered"), blocked.toString());

                // Paused: shown; the example hook goes on, the blocking one's backlog grows.
                NodeProcess.ProcessResult paused = exec(node, "hook:pause blocking");
                assertEquals(0, paused.exitCode(), paused.output());
                assertEquals("paused", facts(node, "blocking").get("state"));
                assertEquals("active", facts(node, "example").get("state"));
                puts(client, "paused:", BATCH / 4);
                Poll.until("the example hook delivers the puts made while blocking is paused", WAIT,
                        () -> logged().containsAll(keys("paused:", BATCH / 4)));
                Poll.until("the blocking hook's pending grows", WAIT,
                        () -> pending(facts(node, "blocking")) >= pendingBefore + BATCH / 4);
                NodeProcess.ProcessResult resumed = exec(node, "hook:resume blocking");
                assertEquals(0, resumed.exitCode(), resumed.output());
                // Resumed, its thread is still inside the call that never returns: shown as stuck.
                Poll.until("the resumed blocking hook shows stuck", WAIT,
                        () -> "stuck".equals(facts(node, "blocking").get("state")));
                assertTrue(Long.parseLong(facts(node, "blocking").get("stuck.ms")) > 10_000,
                        "stuck longer than the delivery timeout: " + facts(node, "blocking"));
                puts(client, "resumed:", BATCH / 4);
                Poll.until("the example hook delivers the puts made after the resume", WAIT,
                        () -> logged().containsAll(keys("resumed:", BATCH / 4)));
                // Pending counts are refreshed once a second: poll rather than read once.
                Poll.until("the blocking hook's pending grows by the puts of the pause and after", WAIT,
                        () -> pending(facts(node, "blocking")) >= pendingBefore + BATCH / 2);
                long pendingAfter = pending(facts(node, "blocking"));
                Map<String, String> example = facts(node, "example");
                System.out.println("hook blocking: hook:list blocking " + facts(node, "blocking"));
                System.out.println("hook blocking: hook:list example " + example);
                System.out.printf("hook blocking: the blocking hook's pending %d -> %d; the example hook delivered %s,"
                        + " failed %s%n", pendingBefore, pendingAfter, example.get("delivered"), example.get("failed"));
                assertTrue(pendingAfter >= pendingBefore + BATCH / 2, pendingBefore + " -> " + pendingAfter);
            }

            // The node stops with the blocking hook's thread still inside deliver.
            long logBefore = Files.size(data.resolve("earthwo.log"));
            long start = System.nanoTime();
            NodeProcess.ProcessResult stop = node.earthwo("stop", "--data", data.toString());
            long stopMs = (System.nanoTime() - start) / 1_000_000;
            String log = Files.readString(data.resolve("earthwo.log"));
            System.out.println("hook blocking: bin/earthwo stop took " + stopMs + " ms; the node's log lines about hooks"
                    + " meanwhile:");
            log.substring((int) Math.min(logBefore, log.length())).lines()
                    .filter(l -> l.contains("hook") || l.contains("Hook")).forEach(l -> System.out.println("  " + l));
            assertEquals(0, stop.exitCode(), stop.output());
            assertFalse(stop.output().contains("did not stop"), stop.output());
            assertFalse(node.isAlive(), "the node still runs after bin/earthwo stop");
            assertTrue(stopMs < 25_000, "bin/earthwo stop took " + stopMs + " ms");
        } catch (AssertionError | Exception e) {
            System.out.println("node log:\n" + node.logTail());
            throw e;
        } finally {
            node.close();
        }
    }

    /** Puts {@code n} keys one after the other; returns the mean and the max latency in ms. */
    private static double[] puts(KvClient client, String prefix, int n) {
        long total = 0;
        long max = 0;
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            client.put(Keys.utf8(prefix + i), Keys.utf8("v" + i));
            long d = System.nanoTime() - t;
            total += d;
            max = Math.max(max, d);
        }
        return new double[] {total / 1e6 / n, max / 1e6};
    }

    private static Set<String> keys(String prefix, int n) {
        Set<String> s = new HashSet<>();
        for (int i = 0; i < n; i++) {
            s.add(prefix + i);
        }
        return s;
    }

    /** The keys of the example hook's events.log. */
    private Set<String> logged() {
        Path log = data.resolve("example-hook/events.log");
        Set<String> keys = new HashSet<>();
        try {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    String[] f = line.split(" ");
                    if (f.length == 5) {
                        keys.add(f[2]);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return keys;
    }

    private static long pending(Map<String, String> facts) {
        String p = facts.getOrDefault("pending", "-1");
        return Long.parseLong(p.startsWith(">=") ? p.substring(2) : p);
    }

    private NodeProcess.ProcessResult exec(NodeProcess node, String command) throws Exception {
        return node.earthwo("exec", "--data", data.toString(), command);
    }

    /** A hook's line of hook:list as key → value (empty when it is not listed). */
    private Map<String, String> facts(NodeProcess node, String name) {
        try {
            NodeProcess.ProcessResult r = exec(node, "hook:list");
            Map<String, String> facts = new HashMap<>();
            for (String line : r.output().split("\n")) {
                if (line.startsWith(name + " ")) {
                    for (String token : line.substring(name.length() + 1).split(" ")) {
                        int eq = token.indexOf('=');
                        if (eq > 0) {
                            facts.put(token.substring(0, eq), token.substring(eq + 1));
                        }
                    }
                }
            }
            return facts;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

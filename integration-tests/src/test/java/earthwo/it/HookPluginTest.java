package earthwo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.Keys;
import earthwo.api.Version;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.testing.Poll;
import earthwo.client.EarthwoClients;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party hook end to end: the example hook bundle's jar dropped into a real node's deploy/
 * (the node started with the outbox on) gets every change of every key, in version order per key
 * (its {@code events.log}); {@code hook:list} through {@code bin/earthwo exec} shows it, pause
 * holds delivery back while the backlog grows and resume delivers it; after a {@code kill -9} in
 * the middle of writes and a restart, the event of every acknowledged write is in the log (at
 * least once: repeats are counted and printed).
 */
class HookPluginTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern LINE = Pattern.compile("(\\S+) (CREATED|UPDATED|DELETED|EXPIRED|GAP) (\\S+) (\\d+)\\.(\\d+)@(\\d+) (\\d+)");

    @TempDir
    Path data;

    @TempDir
    Path deploy;

    /** A line of the example hook's events.log. */
    private record Logged(String id, String type, String key, Version version) {
    }

    @Test
    void anExampleHookDroppedIntoDeployGetsEveryChangeInOrderAndAfterAKill() throws Exception {
        Path jar = Paths.get(System.getProperty("earthwo.example.hook.jar",
                "target/plugins/earthwo.example.hook.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "no example hook jar at " + jar);
        NodeProcess node = new NodeProcess(data, NodeProcess.freePort());
        try {
            start(node);
            try (KvClient client = client(node)) {
                client.put(Keys.utf8("before:hook"), Keys.utf8("v"));
            }
            assertEquals("false", status(node).get("hooks.outbox"), "no hook, no outbox");
            assertEquals("false", status(node).get("storage.outbox.enabled"));
            // The running node takes the jar from deploy/: that alone switches the outbox on.
            Files.copy(jar, deploy.resolve("earthwo.example.hook.jar"));
            Poll.until("hook:list shows the example hook active", WAIT,
                    () -> "active".equals(hookFacts(node).get("state")));
            assertEquals("earthwo.example.hook", hookFacts(node).get("bundle"));

            deliversEveryChangeInVersionOrderPerKey(node);
            pauseHoldsDeliveryBackAndResumeDeliversTheBacklog(node);
            everyAcknowledgedChangeIsDeliveredAfterAKill(node);
        } catch (AssertionError | Exception e) {
            System.out.println("node log:\n" + node.logTail());
            throw e;
        } finally {
            node.close();
        }
    }

    private void deliversEveryChangeInVersionOrderPerKey(NodeProcess node) throws Exception {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        Map<String, List<Version>> versions = new HashMap<>();
        try (KvClient client = client(node)) {
            for (int i = 0; i < 20; i++) {
                String k = "order:" + i;
                versions.computeIfAbsent(k, x -> new ArrayList<>()).add(client.put(Keys.utf8(k), Keys.utf8("v1")));
                versions.get(k).add(client.put(Keys.utf8(k), Keys.utf8("v2")));
                assertTrue(client.delete(Keys.utf8(k)));
                expected.put(k, List.of("CREATED", "UPDATED", "DELETED"));
            }
            long soon = System.currentTimeMillis() + 1_500;
            client.put(Keys.utf8("ttl:put"), Keys.utf8("v"), WriteOptions.DEFAULT.expiringAt(soon));
            expected.put("ttl:put", List.of("CREATED", "EXPIRED"));
            client.put(Keys.utf8("ttl:expire"), Keys.utf8("v"));
            assertEquals(earthwo.api.ExpireResult.SET, client.expire(Keys.utf8("ttl:expire"), 1_500));
            expected.put("ttl:expire", List.of("CREATED", "UPDATED", "EXPIRED"));
        }
        Poll.until("every change in events.log", WAIT, () -> {
            Map<String, List<String>> got = typesByKey(logged());
            return expected.entrySet().stream().allMatch(e -> e.getValue().equals(got.get(e.getKey())));
        });
        List<Logged> log = logged();
        Map<String, Version> last = new HashMap<>();
        for (Logged l : log) {
            Version before = last.put(l.key(), l.version());
            assertTrue(before == null || l.version().isNewerThan(before), "out of version order for its key: " + l);
        }
        for (Map.Entry<String, List<Version>> e : versions.entrySet()) {
            List<Version> logged = log.stream().filter(l -> l.key().equals(e.getKey()) && !l.type().equals("DELETED"))
                    .map(Logged::version).toList();
            assertEquals(e.getValue(), logged, "the versions the puts returned, for " + e.getKey());
        }
        assertEquals(expected.keySet(), typesByKey(log).keySet(), "no other keys");
        Map<String, String> facts = hookFacts(node);
        assertEquals(String.valueOf(log.size()), facts.get("delivered"), facts.toString());
        assertEquals("0", facts.get("failed"));
        Map<String, String> status = status(node);
        assertEquals(String.valueOf(log.size()), status.get("hooks.example.delivered"), status.toString());
        assertEquals("true", status.get("hooks.outbox"));
    }

    private void pauseHoldsDeliveryBackAndResumeDeliversTheBacklog(NodeProcess node) throws Exception {
        NodeProcess.ProcessResult paused = exec(node, "hook:pause example");
        assertEquals(0, paused.exitCode(), paused.output());
        assertEquals("paused", hookFacts(node).get("state"));
        NodeProcess.ProcessResult unknown = exec(node, "hook:pause nope");
        assertNotEquals(0, unknown.exitCode(), unknown.output());
        assertTrue(unknown.output().contains("no hook named 'nope'"), unknown.output());

        int before = logged().size();
        try (KvClient client = client(node)) {
            for (int i = 0; i < 10; i++) {
                client.put(Keys.utf8("paused:" + i), Keys.utf8("v"));
            }
        }
        // Ten pending, the oldest well past the settle time: a running hook would have had them.
        Poll.until("ten pending for over 2 s", WAIT, () -> {
            Map<String, String> f = hookFacts(node);
            return "10".equals(f.get("pending")) && Long.parseLong(f.get("pending.oldest.ms")) >= 2_000;
        });
        assertEquals(before, logged().size(), "delivered while paused");

        NodeProcess.ProcessResult resumed = exec(node, "hook:resume example");
        assertEquals(0, resumed.exitCode(), resumed.output());
        Poll.until("the backlog delivered", WAIT, () -> logged().stream().filter(l -> l.key().startsWith("paused:")).count() == 10);
        Poll.until("nothing pending", WAIT, () -> "0".equals(hookFacts(node).get("pending")));
    }

    private void everyAcknowledgedChangeIsDeliveredAfterAKill(NodeProcess node) throws Exception {
        Map<String, Version> acked = new ConcurrentHashMap<>();
        try (KvClient client = client(node)) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger next = new AtomicInteger();
            Semaphore inFlight = new Semaphore(32);
            Thread writer = new Thread(() -> {
                while (writing.get()) {
                    try {
                        inFlight.acquire();
                    } catch (InterruptedException e) {
                        return;
                    }
                    String key = "crash:" + next.getAndIncrement();
                    client.putAsync(Keys.utf8(key), Keys.utf8("v"), WriteOptions.DEFAULT).whenComplete((v, err) -> {
                        if (err == null) {
                            acked.put(key, v);
                        }
                        inFlight.release();
                    });
                }
            }, "hook-test-writer");
            writer.start();
            // Kill while writes are in flight and the hook is delivering.
            Poll.until("2,000 writes acknowledged", Duration.ofSeconds(120), () -> acked.size() >= 2_000
                    && logged().stream().anyMatch(l -> l.key().startsWith("crash:")));
            node.kill9();
            writing.set(false);
            writer.join(30_000);
        }
        start(node);
        Poll.until("the event of every acknowledged write", Duration.ofSeconds(120), () -> {
            Map<String, List<Version>> got = new HashMap<>();
            for (Logged l : logged()) {
                got.computeIfAbsent(l.key(), k -> new ArrayList<>()).add(l.version());
            }
            return acked.entrySet().stream().allMatch(e -> got.getOrDefault(e.getKey(), List.of()).contains(e.getValue()));
        });
        List<Logged> log = logged();
        Map<String, Integer> byId = new HashMap<>();
        log.forEach(l -> byId.merge(l.id(), 1, Integer::sum));
        long repeats = byId.values().stream().mapToLong(n -> n - 1).sum();
        System.out.println("hooks after kill -9: " + acked.size() + " acknowledged writes, " + log.size() + " events in"
                + " events.log (" + byId.size() + " distinct, " + repeats + " delivered again), " + tornLines()
                + " lines torn by the kill");
        assertEquals("active", hookFacts(node).get("state"));
    }

    /** bin/earthwo start with this test's own deploy/ (EARTHWO_DEPLOY). */
    private void start(NodeProcess node) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(NodeProcess.distribution().resolve("bin/earthwo").toString(), "start",
                "--data", data.toString(), "--port", String.valueOf(node.port())));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("EARTHWO_DATA", data.toString());
        pb.environment().put("EARTHWO_DEPLOY", deploy.toString());
        pb.environment().putIfAbsent("EARTHWO_START_TIMEOUT", "90");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(150, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/earthwo start failed:\n" + out + "\nlog:\n" + node.logTail());
        }
    }

    private static KvClient client(NodeProcess node) throws IOException {
        return EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint()).withRequestTimeout(Duration.ofSeconds(10)));
    }

    private NodeProcess.ProcessResult exec(NodeProcess node, String command) throws Exception {
        return node.earthwo("exec", "--data", data.toString(), command);
    }

    /** The example hook's line of hook:list as key → value (empty when it is not listed). */
    private Map<String, String> hookFacts(NodeProcess node) {
        try {
            NodeProcess.ProcessResult r = exec(node, "hook:list");
            Map<String, String> facts = new HashMap<>();
            for (String line : r.output().split("\n")) {
                if (line.startsWith("example ")) {
                    for (String token : line.substring("example ".length()).split(" ")) {
                        int eq = token.indexOf('=');
                        facts.put(token.substring(0, eq), token.substring(eq + 1));
                    }
                }
            }
            return facts;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> status(NodeProcess node) throws Exception {
        NodeProcess.ProcessResult r = exec(node, "node:status");
        assertEquals(0, r.exitCode(), r.output());
        Map<String, String> m = new HashMap<>();
        for (String line : r.output().split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0) {
                m.put(line.substring(0, eq).trim(), line.substring(eq + 3).trim());
            }
        }
        return m;
    }

    private Path eventsLog() {
        return data.resolve("example-hook/events.log");
    }

    /** The well-formed lines of events.log, in file order. */
    private List<Logged> logged() {
        List<Logged> out = new ArrayList<>();
        for (String line : lines()) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                out.add(new Logged(m.group(1), m.group(2), m.group(3), Version.of(Long.parseLong(m.group(4)),
                        Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)))));
            }
        }
        return out;
    }

    private long tornLines() {
        return lines().stream().filter(l -> !LINE.matcher(l).matches()).count();
    }

    private List<String> lines() {
        try {
            return Files.exists(eventsLog()) ? Files.readAllLines(eventsLog()) : List.of();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, List<String>> typesByKey(List<Logged> log) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Logged l : log) {
            out.computeIfAbsent(l.key(), k -> new ArrayList<>()).add(l.type());
        }
        return out;
    }
}

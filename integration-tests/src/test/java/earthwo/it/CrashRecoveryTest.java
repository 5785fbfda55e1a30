package earthwo.it;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.client.EarthwoClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stop, start, kill -9 at any moment — every acknowledged write is still there.
 * The node runs from the assembled distribution as its own process; writes continue while it is
 * killed, so the kill lands in the middle of commits.
 */
class CrashRecoveryTest {

    private static final int ACKED_BEFORE_KILL = 10_000;

    @TempDir
    Path data;

    @Test
    void everyAcknowledgedWriteSurvivesKillDashNine() throws Exception {
        Map<String, String> acked = new ConcurrentHashMap<>();
        try (NodeProcess node = new NodeProcess(data).start()) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger next = new AtomicInteger();
            Semaphore inFlight = new Semaphore(64);
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint())
                    .withRequestTimeout(Duration.ofSeconds(10)))) {
                Thread writer = new Thread(() -> {
                    while (writing.get()) {
                        try {
                            inFlight.acquire();
                        } catch (InterruptedException e) {
                            return;
                        }
                        int i = next.getAndIncrement();
                        String key = "crash:" + i;
                        String value = "value-" + i;
                        client.putAsync(Keys.utf8(key), Keys.utf8(value), WriteOptions.DEFAULT)
                                .whenComplete((v, err) -> {
                                    if (err == null) {
                                        acked.put(key, value);
                                    }
                                    inFlight.release();
                                });
                    }
                }, "crash-test-writer");
                writer.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (acked.size() < ACKED_BEFORE_KILL) {
                    assertTrue(System.nanoTime() < deadline, "only " + acked.size() + " writes acknowledged in 120 s");
                    Thread.sleep(10);
                }
                // Kill while the writer keeps 64 writes in flight.
                node.kill9();
                writing.set(false);
                writer.join(30_000);
            }
            assertTrue(acked.size() >= ACKED_BEFORE_KILL);

            node.start();
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint()))) {
                int missing = 0;
                String firstMissing = null;
                for (Map.Entry<String, String> e : acked.entrySet()) {
                    Optional<Record> r = client.get(Keys.utf8(e.getKey()));
                    if (r.isEmpty() || !e.getValue().equals(Keys.string(r.get().value()))) {
                        missing++;
                        firstMissing = firstMissing == null ? e.getKey() : firstMissing;
                    }
                }
                assertEquals(0, missing, missing + " of " + acked.size() + " acknowledged writes lost, e.g. " + firstMissing);
            }
        }
    }

    @Test
    void cleanStopAndStartKeepsData() throws Exception {
        try (NodeProcess node = new NodeProcess(data).start()) {
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint()))) {
                for (int i = 0; i < 1000; i++) {
                    client.put(Keys.utf8("stop:" + i), Keys.utf8("v" + i));
                }
                assertTrue(client.delete(Keys.utf8("stop:7")));
            }
            assertEquals(0, node.earthwo("stop", "--data", data.toString()).exitCode());
            assertTrue(!node.isAlive(), "node still running after stop");
            assertEquals(3, node.earthwo("status", "--data", data.toString()).exitCode());
            node.start();
            // The restarted node loads its records into the record cache in the background.
            Map<String, String> status = awaitStatus(node, "storage.record.cache.warmup", "done");
            assertEquals("1000", status.get("storage.record.cache.warmup.records"), "999 values and a tombstone");
            assertEquals(status.get("storage.segments"), status.get("storage.record.cache.complete.segments"));
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint()))) {
                for (int i = 0; i < 1000; i++) {
                    Optional<Record> r = client.get(Keys.utf8("stop:" + i));
                    if (i == 7) {
                        assertTrue(r.isEmpty(), "deleted key came back after restart");
                    } else {
                        assertEquals("v" + i, Keys.string(r.orElseThrow().value()));
                    }
                }
                assertTrue(client.get(Keys.utf8("never-written")).isEmpty());
            }
            Map<String, String> after = status(node);
            assertEquals("0", after.get("storage.record.cache.misses"), "every read answered from the warmed cache: " + after);
        }
    }

    /** node:status of the running node, as key → value. */
    private Map<String, String> status(NodeProcess node) throws Exception {
        NodeProcess.ProcessResult r = node.earthwo("exec", "--data", data.toString(), "node:status");
        assertEquals(0, r.exitCode(), r.output());
        Map<String, String> m = new java.util.HashMap<>();
        for (String line : r.output().split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0) {
                m.put(line.substring(0, eq).trim(), line.substring(eq + 3).trim());
            }
        }
        return m;
    }

    private Map<String, String> awaitStatus(NodeProcess node, String key, String value) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Map<String, String> m = status(node);
            if (value.equals(m.get(key))) {
                return m;
            }
            assertTrue(System.nanoTime() < deadline, key + " is not " + value + " after 60 s: " + m);
        }
    }
}

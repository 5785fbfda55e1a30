package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Segments;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.client.EarthwoClients;
import earthwo.client.internal.ClientThread;
import earthwo.client.testing.FakeNodeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single-threaded non-blocking load generator against real sockets ({@link FakeNodeServer}). */
class NioBenchTest {

    private final List<FakeNodeServer> servers = new ArrayList<>();
    private String out;
    private String err;

    @AfterEach
    void stop() {
        servers.forEach(FakeNodeServer::close);
    }

    private FakeNodeServer node(int id) throws Exception {
        FakeNodeServer s = new FakeNodeServer(id);
        servers.add(s);
        return s;
    }

    private List<BenchResult> bench(KvClientFactory.Config config, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            return new Bench(BenchOptions.parse(List.of(args)), config).run(po, pe);
        } finally {
            out = o.toString(StandardCharsets.UTF_8);
            err = e.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void setAndGetWithAWindowPerConnectionInCsv() throws Exception {
        FakeNodeServer n = node(1);
        List<String> threadsBefore = FakeNodeServer.threadsNamed(ClientThread.PREFIX);
        List<BenchResult> rs = bench(KvClientFactory.Config.seeds(n.address()),
                "-t", "set,get", "-n", "3000", "-c", "7", "-d", "100", "-r", "500", "-P", "5", "--csv");
        String[] lines = out.split("\n");
        assertEquals(3, lines.length, out);
        assertEquals(BenchResult.CSV_HEADER, lines[0]);
        assertTrue(lines[1].startsWith("\"SET\",\"") && lines[2].startsWith("\"GET\",\""), out);
        assertEquals("", err);
        for (BenchResult r : rs) {
            assertEquals(3000, r.requests);
            assertEquals(0, r.errors, r.title);
            assertTrue(r.percentileMs(100) > 0, r.title);
        }
        // MAP connection + one per client; every request answered; 100-byte values of 'x' under key:%012d
        assertEquals(1 + 7, n.connections());
        assertEquals(1 + 6000, n.received());
        Map<String, String> data = n.contents();
        assertTrue(data.size() > 400 && data.size() <= 500, "distinct keys: " + data.size());
        data.forEach((k, v) -> {
            assertTrue(k.matches("key:\\d{12}"), k);
            assertEquals("x".repeat(100), v);
        });
        List<String> started = new ArrayList<>(FakeNodeServer.threadsNamed(ClientThread.PREFIX));
        started.removeAll(threadsBefore);
        assertEquals(List.of(), started, "no client library threads");
    }

    @Test
    void aRateSpreadsTheRequestsOverTime() throws Exception {
        FakeNodeServer n = node(1);
        long t0 = System.nanoTime();
        List<BenchResult> rs = bench(KvClientFactory.Config.seeds(n.address()),
                "-t", "set", "-n", "600", "-c", "4", "-P", "8", "--rate", "1000", "--csv");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, rs.get(0).errors);
        assertEquals(600, rs.get(0).requests);
        // 600 requests at 1,000/s take at least 0.6 s (the first goes at once); unpaced they take milliseconds.
        assertTrue(ms >= 550, "600 requests at --rate 1000 took " + ms + " ms");
        assertTrue(rs.get(0).rps() <= 1_100, "rate " + rs.get(0).rps());
    }

    @Test
    void authenticatesEveryConnectionFirst() throws Exception {
        FakeNodeServer n = node(1);
        n.secret = "s3cret";
        List<BenchResult> rs = bench(KvClientFactory.Config.seeds(n.address()).withSecret("s3cret"),
                "-t", "set,get,ping", "-n", "400", "-c", "4", "-P", "3", "-q");
        assertEquals(4, rs.size());
        rs.forEach(r -> assertEquals(0, r.errors, r.title));
        assertTrue(out.startsWith("SET: ") && out.contains("\nGET: ") && out.contains("\nPING_MBULK: "), out);

        EarthwoException wrong = assertThrows(EarthwoException.class,
                () -> bench(KvClientFactory.Config.seeds(n.address()).withSecret("nope"), "-n", "10", "-c", "2"));
        assertEquals(ErrorCode.AUTH, wrong.code());
        EarthwoException none = assertThrows(EarthwoException.class,
                () -> bench(KvClientFactory.Config.seeds(n.address()), "-t", "get", "-n", "10", "-c", "2"));
        assertEquals(ErrorCode.AUTH, none.code(), "every GET answered AUTH: the run fails with it");
    }

    @Test
    void routesEachKeyToItsSegmentMaster() throws Exception {
        FakeNodeServer a = node(1);
        FakeNodeServer b = node(2);
        List<List<Integer>> replicas = new ArrayList<>();
        for (int s = 0; s < 16; s++) {
            replicas.add(s % 2 == 0 ? List.of(1, 2) : List.of(2, 1));
        }
        SegmentMap map = new SegmentMap(3, 2, replicas, Map.of(1, new NodeInfo(1, "127.0.0.1", a.port()),
                2, new NodeInfo(2, "127.0.0.1", b.port())));
        a.map = map;
        b.map = map;
        List<BenchResult> rs = bench(KvClientFactory.Config.seeds(a.address()),
                "-t", "set", "-n", "2000", "-c", "5", "-r", "100000", "-P", "4", "--csv");
        assertEquals(0, rs.get(0).errors);
        assertEquals(1 + 5, a.connections(), "MAP + one per client");
        assertEquals(5, b.connections());
        assertEquals(1 + 2000, a.received() + b.received(), "MAP + every SET, each sent once");
        assertTrue(a.contents().size() > 800 && b.contents().size() > 800, a.contents().size() + " / " + b.contents().size());
        a.contents().keySet().forEach(k -> assertEquals(0, segment(k) % 2, k + " belongs to node 2"));
        b.contents().keySet().forEach(k -> assertEquals(1, segment(k) % 2, k + " belongs to node 1"));
    }

    @Test
    void aSilentNodeFailsTheRunAfterTheTimeout() throws Exception {
        FakeNodeServer n = node(1);
        n.silent = true; // AUTH and MAP still answered
        long t0 = System.nanoTime();
        EarthwoException e = assertThrows(EarthwoException.class, () -> bench(
                KvClientFactory.Config.seeds(n.address()).withRequestTimeout(Duration.ofMillis(300)),
                "-t", "get", "-n", "20", "-c", "2", "-P", "2"));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("no answer from " + n.address() + " within 300 ms"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
    }

    /**
     * -P as redis-benchmark means it: a client sends its next P requests once all P were
     * answered. The node answers 3 of the first 4 and then nothing: the client must not send more
     * while one is missing. With --window each answer frees a place at once (3 more requests).
     */
    @Test
    void pipeliningSendsTheNextBatchOnlyWhenTheWholeBatchWasAnsweredUnlessWindowed() throws Exception {
        for (boolean window : new boolean[]{false, true}) {
            FakeNodeServer n = node(window ? 2 : 1);
            n.answeredDataRequests = 3;
            List<String> args = new ArrayList<>(List.of("-t", "get", "-n", "40", "-c", "1", "-P", "4"));
            if (window) {
                args.add("--window");
            }
            List<BenchResult> rs = bench(KvClientFactory.Config.seeds(n.address()).withRequestTimeout(Duration.ofMillis(300)),
                    args.toArray(new String[0]));
            assertEquals(37, rs.get(0).errors, "3 answered; the 4th times out and its connection's later requests fail");
            assertEquals(1 + (window ? 7 : 4), n.received(), (window ? "--window" : "batches") + ": MAP, then GETs");
        }
    }

    @Test
    void aNodeThatDiesFailsTheRestOfTheRequests() throws Exception {
        FakeNodeServer n = node(1);
        n.silent = true;
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                return;
            }
            n.kill();
        });
        killer.start();
        EarthwoException e = assertThrows(EarthwoException.class, () -> bench(
                KvClientFactory.Config.seeds(n.address()), "-t", "set", "-n", "50", "-c", "2", "-P", "2"));
        killer.join();
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("closed by the node") || e.getMessage().contains("failed"), e.getMessage());
    }

    /** --ttl: every SET carries an expiry of its sending time plus the ttl, by both load generators. */
    @Test
    void ttlGivesEverySetAnExpiryFromItsSendingTime() throws Exception {
        for (boolean javaClient : new boolean[]{false, true}) {
            FakeNodeServer n = node(javaClient ? 2 : 1);
            List<String> args = new ArrayList<>(List.of("-t", "set", "-n", "500", "-c", "3", "-P", "4", "-r", "100",
                    "--ttl", "3600000", "--csv"));
            if (javaClient) {
                args.add("--java-client");
            }
            long before = System.currentTimeMillis();
            List<BenchResult> rs = bench(KvClientFactory.Config.seeds(n.address()), args.toArray(new String[0]));
            long after = System.currentTimeMillis();
            assertEquals(0, rs.get(0).errors);
            long last = n.lastDataRequest.expiresAt();
            assertTrue(last >= before + 3_600_000L && last <= after + 3_600_000L, "expiresAt " + last);
            assertKeysExpireWithin(n, before, after, 3_600_000L);
        }
        FakeNodeServer plain = node(3);
        bench(KvClientFactory.Config.seeds(plain.address()), "-t", "set", "-n", "200", "-c", "2", "-r", "50", "-q");
        assertEquals(earthwo.api.Record.NEVER, plain.lastDataRequest.expiresAt(), "no --ttl: no expiry");
        try (KvClient c = EarthwoClients.connect(KvClientFactory.Config.seeds(plain.address()))) {
            for (String k : plain.contents().keySet()) {
                assertEquals(earthwo.api.Expiry.TTL_NONE, c.ttl(Keys.utf8(k)), k);
            }
        }
    }

    /** Every key the node holds has a time to live that ends between {@code from + ttl} and {@code to + ttl}. */
    private static void assertKeysExpireWithin(FakeNodeServer n, long from, long to, long ttl) {
        Map<String, String> data = n.contents();
        assertTrue(data.size() > 50, "distinct keys: " + data.size());
        try (KvClient c = EarthwoClients.connect(KvClientFactory.Config.seeds(n.address()))) {
            for (String k : data.keySet()) {
                long asked = System.currentTimeMillis();
                long left = c.ttl(Keys.utf8(k));
                long answered = System.currentTimeMillis();
                // the node computes expiresAt - its now, its now within [asked, answered]
                assertTrue(left > 0 && from + ttl - answered <= left && left <= to + ttl - asked,
                        k + ": " + left + " ms left");
            }
        }
    }

    @Test
    void theJavaClientPathStillWorks() throws Exception {
        FakeNodeServer n = node(1);
        List<BenchResult> rs = bench(KvClientFactory.Config.seeds(n.address()),
                "-t", "set,get", "-n", "600", "-c", "3", "-P", "2", "-r", "100", "--java-client", "--csv");
        rs.forEach(r -> assertEquals(0, r.errors, r.title));
        assertEquals(3, out.split("\n").length, out);
        assertEquals(3, n.connections(), "one Java client (one connection) per -c");
    }

    /** The segment (of 16) a bench key falls into. */
    static int segment(String key) {
        return Segments.segmentOf(Keys.utf8(key), 16);
    }
}

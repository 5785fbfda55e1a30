package earthwo.client.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory.Config;
import earthwo.api.protocol.Opcode;
import earthwo.api.protocol.Request;
import earthwo.client.CommandFailedException;
import earthwo.client.EarthwoClients;
import earthwo.client.testing.FakeNodeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static earthwo.api.Keys.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class RoutingKvClientTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();

    private FakeNodeServer server(int id) throws Exception {
        FakeNodeServer s = new FakeNodeServer(id);
        toClose.add(s);
        return s;
    }

    private KvClient client(Config config) {
        KvClient c = EarthwoClients.connect(config);
        toClose.add(0, c);
        return c;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        assertNoClientThreads();
    }

    static void assertNoClientThreads() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> left;
        do {
            left = FakeNodeServer.threadsNamed(ClientThread.PREFIX);
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        fail("client threads left after close(): " + left);
    }

    private static EarthwoException failure(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return assertInstanceOf(EarthwoException.class, e.getCause());
    }

    @Test
    void syncPutGetDeleteScan() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()));
        Version v1 = c.put(utf8("user:1"), utf8("ada"));
        Version v2 = c.put(utf8("user:1"), utf8("grace"));
        assertTrue(v2.isNewerThan(v1));
        c.put(utf8("user:2"), utf8("linus"));
        c.put(utf8("other"), utf8("x"));
        Record r = c.get(utf8("user:1")).orElseThrow();
        assertEquals("grace", Keys.string(r.value()));
        assertEquals("user:1", Keys.string(r.key()));
        assertEquals(v2, r.version());

        ScanPage page = c.scan(utf8("user:"), null, 10);
        assertEquals(2, page.records().size());
        assertEquals("user:2", Keys.string(page.records().get(1).key()));
        assertFalse(page.hasMore());
        ScanPage first = c.scan(utf8("user:"), null, 1);
        assertTrue(first.hasMore());
        ScanPage second = c.scan(utf8("user:"), first.continuation(), 1);
        assertEquals("user:2", Keys.string(second.records().get(0).key()));

        assertTrue(c.delete(utf8("user:1")));
        assertFalse(c.delete(utf8("user:1")));
        assertEquals(Optional.empty(), c.get(utf8("user:1")));
        assertEquals("1", c.statusAsync().join().get("node.id"));
    }

    @Test
    void asyncCallsComplete() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()));
        Version v = c.putAsync(utf8("a"), utf8("1"), WriteOptions.DEFAULT).get(5, TimeUnit.SECONDS);
        assertNotNull(v);
        assertEquals("1", Keys.string(c.getAsync(utf8("a")).get(5, TimeUnit.SECONDS).orElseThrow().value()));
        assertEquals(1, c.scanAsync(utf8("a"), null, 10).get(5, TimeUnit.SECONDS).records().size());
        assertTrue(c.deleteAsync(utf8("a"), WriteOptions.DEFAULT).get(5, TimeUnit.SECONDS));
        assertTrue(c.getAsync(utf8("a")).get(5, TimeUnit.SECONDS).isEmpty());
    }

    @Test
    void blockingCallInACallbackIsRefusedNotDeadlocked() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()));
        c.put(utf8("a"), utf8("1"));
        CompletableFuture<Throwable> onClientThread = new CompletableFuture<>();
        ClientThread t = new ClientThread("test-callback", () -> {
            try {
                c.get(utf8("a"));
                onClientThread.complete(null);
            } catch (Throwable x) {
                onClientThread.complete(x);
            }
        });
        t.start();
        assertInstanceOf(IllegalStateException.class, onClientThread.get(5, TimeUnit.SECONDS));
        t.join();
        assertEquals("1", Keys.string(c.putAsync(utf8("b"), utf8("2"), WriteOptions.DEFAULT)
                .thenCompose(v -> c.getAsync(utf8("a"))).get(5, TimeUnit.SECONDS).orElseThrow().value()));
    }

    @Test
    void notFoundIsEmptyNotAnError() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()));
        assertEquals(Optional.empty(), c.get(utf8("never-written")));
    }

    @Test
    void tenThousandPipelinedRequestsOnOneConnection() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()));
        int n = 10_000;
        List<CompletableFuture<Version>> puts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            puts.add(c.putAsync(utf8("k" + i), utf8("v" + i), WriteOptions.DEFAULT));
        }
        CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        List<CompletableFuture<Optional<Record>>> gets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            gets.add(c.getAsync(utf8("k" + i)));
        }
        for (int i = 0; i < n; i++) {
            assertEquals("v" + i, Keys.string(gets.get(i).get(30, TimeUnit.SECONDS).orElseThrow().value()));
        }
        assertEquals(n, s.contents().size());
        assertEquals(1, s.connections(), "all requests went over one connection");
    }

    @Test
    void requestTimeoutIsUnavailable() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()).withRequestTimeout(Duration.ofMillis(200)));
        s.silent = true;
        long t0 = System.nanoTime();
        EarthwoException e = failure(c.getAsync(utf8("k")));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("no answer"), e.getMessage());
        assertTrue(ms >= 200 && ms < 3000, "failed after " + ms + " ms");
        EarthwoException sync = assertThrows(EarthwoException.class, () -> c.get(utf8("k")));
        assertEquals(ErrorCode.UNAVAILABLE, sync.code());
    }

    @Test
    void serverDeathFailsPendingWithUnavailableOnTheConnection() throws Exception {
        FakeNodeServer s = server(1);
        s.silent = true;
        Connection conn = Connection.open(new Socket(), s.address(), "test", 10_000, 100, null);
        try {
            List<CompletableFuture<earthwo.api.protocol.Response>> pending = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                pending.add(conn.send(id -> earthwo.api.protocol.Request.ping(id), true));
            }
            waitFor(() -> s.received() >= 50);
            s.kill();
            for (CompletableFuture<?> f : pending) {
                assertEquals(ErrorCode.UNAVAILABLE, failure(f).code());
            }
            assertFalse(conn.isAlive());
            assertEquals(ErrorCode.UNAVAILABLE,
                    failure(conn.send(id -> earthwo.api.protocol.Request.ping(id), true)).code());
        } finally {
            conn.close();
        }
    }

    @Test
    void serverDeathMidFlightFailsOverToTheSecondSeed() throws Exception {
        FakeNodeServer a = server(1);
        FakeNodeServer b = server(2);
        KvClient c = client(Config.seeds(a.address(), b.address()).withRequestTimeout(Duration.ofSeconds(3)));
        c.put(utf8("before"), utf8("a"));
        a.silent = true;
        a.answerControl = false;
        List<CompletableFuture<Version>> inFlight = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            inFlight.add(c.putAsync(utf8("k" + i), utf8("v" + i), WriteOptions.DEFAULT));
        }
        waitFor(() -> a.received() >= 101);
        a.kill();
        for (CompletableFuture<Version> f : inFlight) {
            assertNotNull(f.get(10, TimeUnit.SECONDS));
        }
        assertEquals(100, b.contents().size(), "every in-flight put was retried on the second seed");
        assertEquals("v7", Keys.string(c.get(utf8("k7")).orElseThrow().value()));
    }

    @Test
    void singleNodeDeathFailsRequestsWithUnavailable() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()).withRequestTimeout(Duration.ofMillis(300)));
        s.silent = true;
        CompletableFuture<Optional<Record>> f = c.getAsync(utf8("k"));
        waitFor(() -> s.received() >= 2);
        s.kill();
        assertEquals(ErrorCode.UNAVAILABLE, failure(f).code());
    }

    @Test
    void typedErrorSurfacesWithItsCode() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()));
        EarthwoException e = assertThrows(EarthwoException.class, () -> c.put(new byte[2000], utf8("v")));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals(ErrorCode.TOO_LARGE, failure(c.getAsync(new byte[5000])).code());
        c.put(utf8("still"), utf8("works"));
        assertTrue(c.get(utf8("still")).isPresent());
        EarthwoException empty = assertThrows(EarthwoException.class, () -> c.get(new byte[0]));
        assertEquals(ErrorCode.BAD_REQUEST, empty.code());
    }

    @Test
    void wrongSegmentRefreshesTheMapAndRetries() throws Exception {
        FakeNodeServer s = server(1);
        RoutingKvClient c = (RoutingKvClient) client(Config.seeds(s.address()));
        assertEquals(1, c.segmentMap().epoch());
        s.wrongSegmentOnce = true;
        c.put(utf8("k"), utf8("v"));
        assertEquals("v", s.contents().get("k"));
        assertEquals(2, c.segmentMap().epoch());
    }

    @Test
    void oversizeFrameFromTheServerKillsTheConnection() throws Exception {
        FakeNodeServer s = server(1);
        Connection conn = Connection.open(new Socket(), s.address(), "test", 5_000, 10, null);
        try {
            s.oversizeFrame = Connection.MAX_FRAME + 1;
            EarthwoException e = failure(conn.send(earthwo.api.protocol.Request::ping, true));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertTrue(e.getMessage().contains("protocol error"), e.getMessage());
            assertFalse(conn.isAlive());
        } finally {
            conn.close();
        }
    }

    @Test
    void inFlightBoundFailsFastOnClientThreadsAndBlocksCallers() throws Exception {
        FakeNodeServer s = server(1);
        s.silent = true;
        Connection conn = Connection.open(new Socket(), s.address(), "test", 300, 2, null);
        try {
            CompletableFuture<?> a = conn.send(earthwo.api.protocol.Request::ping, true);
            CompletableFuture<?> b = conn.send(earthwo.api.protocol.Request::ping, true);
            assertEquals(ErrorCode.BUSY, failure(conn.send(earthwo.api.protocol.Request::ping, false)).code());
            long t0 = System.nanoTime();
            CompletableFuture<?> c = conn.send(earthwo.api.protocol.Request::ping, true);
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 250, "the caller blocked for a permit, " + waited + " ms");
            assertEquals(ErrorCode.BUSY, failure(c).code());
            conn.expire(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            assertEquals(ErrorCode.UNAVAILABLE, failure(a).code());
            assertEquals(ErrorCode.UNAVAILABLE, failure(b).code());
        } finally {
            conn.close();
        }
    }

    @Test
    void secretsAreChecked() throws Exception {
        FakeNodeServer s = server(1);
        s.secret = "s3cret";
        EarthwoException e = assertThrows(EarthwoException.class,
                () -> EarthwoClients.connect(Config.seeds(s.address()).withSecret("wrong")));
        assertEquals(ErrorCode.AUTH, e.code());
        KvClient c = client(Config.seeds(s.address()).withSecret("s3cret"));
        c.put(utf8("k"), utf8("v"));
        assertEquals(ErrorCode.AUTH, failure(c.execAsync("x")).code(), "no admin secret configured");
    }

    @Test
    void execReturnsOutputAndFailsTypedWhenTheCommandFails() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()).withAdminSecret("admin"));
        assertEquals("ran node:status", c.execAsync("node:status").get(5, TimeUnit.SECONDS));
        EarthwoException e = failure(c.execAsync("fail now"));
        CommandFailedException cf = assertInstanceOf(CommandFailedException.class, e);
        assertTrue(cf.output().contains("fail now"));
    }

    @Test
    void noSeedAnswersIsUnavailable() throws Exception {
        FakeNodeServer s = server(1);
        String dead = s.address();
        s.kill();
        EarthwoException e = assertThrows(EarthwoException.class,
                () -> EarthwoClients.connect(Config.seeds(dead).withRequestTimeout(Duration.ofMillis(500))));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
    }

    @Test
    void closeLeavesNoThreadsAndFailsLaterCalls() throws Exception {
        FakeNodeServer a = server(1);
        KvClient c = EarthwoClients.connect(Config.seeds(a.address()));
        c.put(utf8("k"), utf8("v"));
        assertFalse(FakeNodeServer.threadsNamed(ClientThread.PREFIX).isEmpty());
        c.close();
        assertNoClientThreads();
        assertEquals(ErrorCode.UNAVAILABLE, failure(c.getAsync(utf8("k"))).code());
    }

    @Test
    void componentClosesItsClientsOnDeactivate() throws Exception {
        FakeNodeServer s = server(1);
        KvClientFactoryComponent factory = new KvClientFactoryComponent();
        KvClient one = factory.connect(Config.seeds(s.address()));
        KvClient two = factory.connect(Config.seeds(s.address()));
        two.close();
        assertEquals(1, factory.openClients());
        one.put(utf8("k"), utf8("v"));
        factory.deactivate();
        assertEquals(0, factory.openClients());
        assertNoClientThreads();
        assertThrows(EarthwoException.class, () -> one.get(utf8("k")));
        assertThrows(EarthwoException.class, () -> factory.connect(Config.seeds(s.address())));
    }

    @Test
    void mapRoutesKeysToTheAddressesItNames() throws Exception {
        FakeNodeServer s = server(7);
        RoutingKvClient c = (RoutingKvClient) client(Config.seeds("localhost:" + s.port()));
        c.put(utf8("k"), utf8("v"));
        // the map names the node as 127.0.0.1:port, so keys go there: a second connection
        assertEquals(2, s.connections());
        assertEquals(Map.of("k", "v"), s.contents());
    }

    // ---------------------------------------------------------------- expiry

    private static final long NODE_NOW = 1_700_000_000_000L;

    @Test
    void expireTtlAndPersistFollowTheNodesAnswers() throws Exception {
        FakeNodeServer s = server(1);
        s.wallClock = () -> NODE_NOW;
        KvClient c = client(Config.seeds(s.address()));
        byte[] k = utf8("session");
        assertEquals(Expiry.TTL_ABSENT, c.ttl(k));
        assertEquals(ExpireResult.ABSENT, c.expire(k, 1000));
        assertEquals(ExpireResult.ABSENT, c.persist(k));
        c.put(k, utf8("x"));
        assertEquals(Expiry.TTL_NONE, c.ttl(k));
        assertEquals(ExpireResult.NO_EXPIRY, c.persist(k));

        assertEquals(ExpireResult.SET, c.expire(k, 60_000));
        assertEquals(60_000, c.ttl(k), "counted from the node's clock");
        assertEquals(NODE_NOW + 60_000, c.get(k).orElseThrow().expiresAt());
        assertEquals(ExpireResult.SET, c.expireAt(k, NODE_NOW + 5_000));
        assertEquals(5_000, c.ttlAsync(k).get(5, TimeUnit.SECONDS));
        assertEquals(ExpireResult.PERSISTED, c.persistAsync(k, WriteConcern.ALL).get(5, TimeUnit.SECONDS));
        assertEquals(Expiry.TTL_NONE, c.ttl(k));
        assertEquals("x", Keys.string(c.get(k).orElseThrow().value()), "expiry changes keep the value");

        assertEquals(ExpireResult.DELETED, c.expire(k, 0), "0 ms deletes, as Redis's EXPIRE");
        assertEquals(Optional.empty(), c.get(k));
        c.put(k, utf8("y"));
        assertEquals(ExpireResult.DELETED, c.expireAt(k, NODE_NOW - 1), "a time not in the future deletes");
        assertEquals(Expiry.TTL_ABSENT, c.ttl(k));
    }

    @Test
    void expireCarriesModeTimeAndConcernOnTheWire() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()));
        c.expireAsync(utf8("k"), 1234, WriteConcern.ONE).get(5, TimeUnit.SECONDS);
        Request r = s.lastDataRequest;
        assertEquals(Opcode.EXPIRE, r.opcode());
        assertEquals(Request.EXPIRE_IN, r.expireMode());
        assertEquals(1234, r.expiresAt());
        assertEquals(WriteConcern.ONE, r.concern());
        c.expireAtAsync(utf8("k"), 99, null).get(5, TimeUnit.SECONDS);
        assertEquals(Request.EXPIRE_AT, s.lastDataRequest.expireMode());
        assertEquals(99, s.lastDataRequest.expiresAt());
        assertEquals(WriteConcern.DEFAULT, s.lastDataRequest.concern());
        c.persist(utf8("k"));
        assertEquals(Request.EXPIRE_PERSIST, s.lastDataRequest.expireMode());
        c.ttl(utf8("k"));
        assertEquals(Opcode.TTL, s.lastDataRequest.opcode());
    }

    @Test
    void putKeepingTtlSendsMinusOneAndTheNodeKeepsTheExpiry() throws Exception {
        FakeNodeServer s = server(1);
        s.wallClock = () -> NODE_NOW;
        KvClient c = client(Config.seeds(s.address()));
        byte[] k = utf8("k");
        c.put(k, utf8("v1"), WriteOptions.DEFAULT.expiringAt(NODE_NOW + 10_000));
        assertEquals(NODE_NOW + 10_000, s.lastDataRequest.expiresAt());
        c.put(k, utf8("v2"), WriteOptions.DEFAULT.keepingTtl());
        assertEquals(WriteOptions.KEEP_TTL, s.lastDataRequest.expiresAt());
        assertEquals(10_000, c.ttl(k));
        assertEquals("v2", Keys.string(c.get(k).orElseThrow().value()));
        c.put(k, utf8("v3"));
        assertEquals(Expiry.TTL_NONE, c.ttl(k), "a plain put removes the expiry");
    }

    @Test
    void impossibleTimesFailWithoutARoundTrip() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()));
        c.put(utf8("k"), utf8("v"));
        int before = s.received();
        for (org.junit.jupiter.api.function.Executable x : List.<org.junit.jupiter.api.function.Executable>of(
                () -> c.expire(utf8("k"), -1),
                () -> c.expire(utf8("k"), Long.MAX_VALUE),
                () -> c.expire(utf8("k"), Expiry.MAX_EXPIRES_AT),
                () -> c.expireAt(utf8("k"), -5),
                () -> c.expireAt(utf8("k"), Expiry.MAX_EXPIRES_AT + 1),
                () -> c.ttl(new byte[0]),
                () -> c.persist(null))) {
            assertEquals(ErrorCode.BAD_REQUEST, assertThrows(EarthwoException.class, x).code());
        }
        assertEquals(before, s.received(), "nothing was sent");
        assertEquals(ExpireResult.SET, c.expireAt(utf8("k"), Expiry.MAX_EXPIRES_AT), "year 9999 is allowed");
    }

    @Test
    void theNodesOwnRefusalSurfacesTyped() throws Exception {
        FakeNodeServer s = server(1);
        s.wallClock = () -> Expiry.MAX_EXPIRES_AT - 10;
        KvClient c = client(Config.seeds(s.address()));
        c.put(utf8("k"), utf8("v"));
        // valid by this machine's clock, past year 9999 by the node's
        EarthwoException e = failure(c.expireAsync(utf8("k"), 1000, WriteConcern.DEFAULT));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(e.getMessage().contains("9999"), e.getMessage());
    }

    @Test
    void expireAndTtlFollowWrongSegment() throws Exception {
        FakeNodeServer s = server(1);
        RoutingKvClient c = (RoutingKvClient) client(Config.seeds(s.address()));
        c.put(utf8("k"), utf8("v"));
        s.wrongSegmentOnce = true;
        assertEquals(ExpireResult.SET, c.expire(utf8("k"), 60_000));
        assertEquals(2, c.segmentMap().epoch(), "the map was refreshed");
        s.wrongSegmentOnce = true;
        assertTrue(c.ttl(utf8("k")) > 0);
        assertEquals(3, c.segmentMap().epoch());
    }

    @Test
    void expireInFlightOnADyingNodeIsRetriedOnTheSecondSeed() throws Exception {
        FakeNodeServer a = server(1);
        FakeNodeServer b = server(2);
        KvClient c = client(Config.seeds(a.address(), b.address()).withRequestTimeout(Duration.ofSeconds(3)));
        c.put(utf8("warm-up"), utf8("v"));
        b.wallClock = () -> NODE_NOW;
        a.silent = true;
        a.answerControl = false;
        CompletableFuture<ExpireResult> expire = c.expireAsync(utf8("k"), 1000, WriteConcern.DEFAULT);
        CompletableFuture<Long> ttl = c.ttlAsync(utf8("k"));
        waitFor(() -> a.received() >= 4);
        a.kill();
        assertEquals(ExpireResult.ABSENT, expire.get(10, TimeUnit.SECONDS), "answered by the second seed");
        assertEquals(Expiry.TTL_ABSENT, ttl.get(10, TimeUnit.SECONDS));
    }

    @Test
    void blockingExpiryCallsAreRefusedOnClientThreads() throws Exception {
        FakeNodeServer s = server(1);
        KvClient c = client(Config.seeds(s.address()));
        CompletableFuture<Throwable> onClientThread = new CompletableFuture<>();
        ClientThread t = new ClientThread("test-callback", () -> {
            try {
                c.ttl(utf8("a"));
                onClientThread.complete(null);
            } catch (Throwable x) {
                onClientThread.complete(x);
            }
        });
        t.start();
        assertInstanceOf(IllegalStateException.class, onClientThread.get(5, TimeUnit.SECONDS));
        t.join();
    }

    static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }
}

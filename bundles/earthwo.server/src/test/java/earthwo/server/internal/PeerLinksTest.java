package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.NodeProperties;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.TestClusterView;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two (or three) real servers on 127.0.0.1 and the peer links between them, with a fixed
 * cluster view that maps node ids to the servers' real ports.
 */
class PeerLinksTest extends PeerLinksTestSupport {

    // ---- the tests ----

    @Test
    void callRoundTripToAPeerAndToItself() throws Exception {
        ServerComponent a = server(dataA, 0, "A");
        ServerComponent b = server(dataB, 0, "B");
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(1, port(a), 2, port(b))));
        PeerLinksComponent l = links(view);

        assertEquals("B:HELLO", text(await(l.call(2, bytes(1, "hello"), T))));
        assertEquals("A:SELF", text(await(l.call(1, bytes(1, "self"), T))));
        assertArrayEquals(new byte[0], await(l.call(2, new byte[] {5}, T)), "a null answer is an empty payload");

        Map<String, Object> st = l.status();
        assertEquals("links", l.name());
        assertEquals(2, st.get("peers"));
        assertEquals(true, st.get("node.2.connected"));
        assertEquals("127.0.0.1:" + port(b), st.get("node.2.address"));
        assertEquals(0, st.get("node.2.inflight"));
        assertEquals(2L, st.get("node.2.calls"));
        assertEquals(0L, st.get("node.2.failures"));
        assertEquals("", st.get("node.2.last.error"));
        assertEquals("2", String.valueOf(b.server().stats().status().get("peer.requests")), "server counts peer requests");
    }

    @Test
    void blockedPeerFailsAtOnceUntilUnblocked() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        ServerComponent c = server(dataC, 0, "C");
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b), 3, port(c))));
        PeerLinksComponent l = links(view);
        PeerBlocks blocks = new PeerBlocks();
        LinkCommands commands = new LinkCommands(blocks);
        // a pool with its own PeerBlocks, changed through the Gogo command object
        PeerLinkPool pool = new PeerLinkPool(LinkSettings.resolve(
                Map.of(NodeProperties.CLUSTER_SECRET_FILE, clusterSecretFile().toString()), k -> null), () -> view, blocks);
        try {
            assertEquals("B:X", text(await(pool.call(2, bytes(1, "x"), T))));
            assertEquals("blocked [2]", commands.block(2));
            assertEquals("[2]", commands.blocked());
            long t0 = System.nanoTime();
            EarthwoException e = failure(pool.call(2, bytes(1, "x"), Duration.ofSeconds(30)));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertTrue(e.getMessage().contains("blocked"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "fails at once");
            assertEquals("C:Y", text(await(pool.call(3, bytes(1, "y"), T))), "other peers are not blocked");
            assertEquals("blocked [2, 3]", commands.block(3));
            assertEquals("blocked [3]", commands.unblock(2));
            assertEquals("B:Z", text(await(pool.call(2, bytes(1, "z"), T))));
            assertEquals("blocked (none)", commands.unblock());
            assertEquals("C:W", text(await(pool.call(3, bytes(1, "w"), T))));
            assertEquals("(none)", commands.blocked());
        } finally {
            pool.close();
        }
        assertEquals("B:V", text(await(l.call(2, bytes(1, "v"), T))));
    }

    @Test
    void thousandPipelinedCallsOnOneConnection() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b))));
        PeerLinksComponent l = links(view);
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            calls.add(l.call(2, bytes(1, "m" + i), T).toCompletableFuture());
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals("B:M" + i, text(await(calls.get(i))));
        }
        assertEquals(1, b.server().stats().connectionsAccepted.sum(), "one pooled connection");
        assertEquals(1000L, l.status().get("node.2.calls"));
        assertEquals(0, l.status().get("node.2.inflight"));
    }

    @Test
    void unknownTypeUnknownNodeAndBadPayloads() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b))));
        PeerLinksComponent l = links(view);

        EarthwoException e = failure(l.call(2, new byte[] {9, 1, 2}, T));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("no handler for peer message type 9"), e.getMessage());
        e = failure(l.call(2, new byte[] {(byte) 200}, T));
        assertTrue(e.getMessage().contains("no handler for peer message type 200"), "unsigned type: " + e.getMessage());

        e = failure(l.call(99, bytes(1, "x"), T));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("node 99"), e.getMessage());

        assertEquals(ErrorCode.BAD_REQUEST, failure(l.call(2, new byte[0], T)).code());
        assertEquals(ErrorCode.TOO_LARGE, failure(l.call(2, new byte[Frames.DEFAULT_MAX_FRAME], T)).code());
        // none of that broke the connection
        assertEquals("B:OK", text(await(l.call(2, bytes(1, "ok"), T))));
        assertEquals(1, b.server().stats().connectionsAccepted.sum());
    }

    @Test
    void typedFailureOfTheHandlerReachesTheCaller() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        PeerLinksComponent l = links(new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b)))));
        EarthwoException thrown = failure(l.call(2, new byte[] {3}, T));
        assertEquals(ErrorCode.TOO_LARGE, thrown.code());
        assertTrue(thrown.getMessage().contains("thrown by the handler"), thrown.getMessage());
        assertEquals(ErrorCode.TOO_LARGE, failure(l.call(2, new byte[] {4}, T)).code());
        assertEquals(ErrorCode.INTERNAL, failure(l.call(2, new byte[] {6}, T)).code(), "untyped failure");
        assertEquals("B:STILL", text(await(l.call(2, bytes(1, "still"), T))));
    }

    @Test
    void unboundHandlerIsNoLongerCalled() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        PeerLinksComponent l = links(new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b)))));
        TestHandler other = new TestHandler("NEW");
        b.addPeerHandler(other, Map.of(PeerHandler.MESSAGE_TYPES, new int[] {7}, "service.ranking", 5));
        b.addPeerHandler(other, Map.of(PeerHandler.MESSAGE_TYPES, new int[] {7, 1}, "service.ranking", 5)); // updated
        assertEquals("NEW:X", text(await(l.call(2, bytes(1, "x"), T))), "higher ranking wins type 1");
        b.removePeerHandler(other);
        assertEquals("B:X", text(await(l.call(2, bytes(1, "x"), T))));
        assertEquals(ErrorCode.UNAVAILABLE, failure(l.call(2, new byte[] {7}, T)).code());
    }

    @Test
    void peerDownFailsFastAndRecoversWhenItReturns() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        int portB = port(b);
        PeerLinksComponent l = links(new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, portB))));
        assertEquals("B:UP", text(await(l.call(2, bytes(1, "up"), T))));

        b.deactivate();
        servers.remove(b);
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            EarthwoException e = failure(l.call(2, bytes(1, "down"), Duration.ofSeconds(30)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(ErrorCode.UNAVAILABLE, e.code(), e.getMessage());
            assertTrue(ms < 1000, "failed after " + ms + " ms: " + e.getMessage());
        }
        Map<String, Object> st = l.status();
        assertEquals(false, st.get("node.2.connected"));
        assertTrue((Long) st.get("node.2.failures") >= 1, st.toString());
        assertFalse(st.get("node.2.last.error").toString().isEmpty());

        server(dataB, portB, "B2");
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            try {
                assertEquals("B2:BACK", text(await(l.call(2, bytes(1, "back"), T))));
                break;
            } catch (EarthwoException e) {
                assertEquals(ErrorCode.UNAVAILABLE, e.code());
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
        assertEquals(true, l.status().get("node.2.connected"));
    }

    @Test
    void callTimesOutWithoutBreakingTheConnection() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        PeerLinksComponent l = links(new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b)))));
        assertEquals("B:WARM", text(await(l.call(2, bytes(1, "warm"), T))));
        long t0 = System.nanoTime();
        EarthwoException e = failure(l.call(2, new byte[] {2}, Duration.ofMillis(200)));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("200 ms"), e.getMessage());
        assertTrue(ms >= 150 && ms < 2000, "timed out after " + ms + " ms");
        assertEquals(1L, l.status().get("node.2.timeouts"));
        long deadline = System.currentTimeMillis() + 5_000;
        while (!Integer.valueOf(0).equals(l.status().get("node.2.inflight"))) {
            assertTrue(System.currentTimeMillis() < deadline, "a timed-out call leaves the pending map");
            Thread.sleep(10);
        }
        assertEquals("B:AFTER", text(await(l.call(2, bytes(1, "after"), T))));
        assertEquals(1, b.server().stats().connectionsAccepted.sum());
    }

    @Test
    void timeoutCoversAnUnreachableConnect() throws Exception {
        // 10.255.255.1 normally drops SYNs; whether it refuses or hangs, the call must end in time.
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, 1)));
        view.setMap(new earthwo.api.cluster.SegmentMap(1, 1, List.of(List.of(2)),
                Map.of(2, new earthwo.api.cluster.NodeInfo(2, "10.255.255.1", 7380))));
        PeerLinksComponent l = links(view, LinkSettings.CONNECT_TIMEOUT, "5000");
        long t0 = System.nanoTime();
        EarthwoException e = failure(l.call(2, bytes(1, "x"), Duration.ofMillis(300)));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(ms < 2000, "ended after " + ms + " ms");
    }

    @Test
    void addressChangeInTheMapMovesTheLink() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        ServerComponent c = server(dataC, 0, "C");
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b))));
        PeerLinksComponent l = links(view);
        assertEquals("B:ONE", text(await(l.call(2, bytes(1, "one"), T))));
        view.setMap(TestClusterView.mapOf(2, Map.of(2, port(c))));
        assertEquals("C:TWO", text(await(l.call(2, bytes(1, "two"), T))));
        assertEquals("127.0.0.1:" + port(c), l.status().get("node.2.address"));
        long deadline = System.currentTimeMillis() + 5_000;
        while (b.server().stats().connectionsOpen.get() != 0) {
            assertTrue(System.currentTimeMillis() < deadline, "old connection to B still open");
            Thread.sleep(20);
        }
        view.setMap(TestClusterView.mapOf(3, Map.of(1, port(b))));
        assertEquals(ErrorCode.UNAVAILABLE, failure(l.call(2, bytes(1, "gone"), T)).code(), "node left the map");
    }

    @Test
    void peerMessagesNeedTheClusterSecret() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b))));
        assertEquals("B:AUTHED", text(await(links(view).call(2, bytes(1, "authed"), T))));

        Path otherSecret = dataA.resolve("other.secret");
        java.nio.file.Files.writeString(otherSecret, "not-the-cluster-secret\n");
        PeerLinksComponent wrong = links(view, NodeProperties.CLUSTER_SECRET_FILE, otherSecret.toString());
        EarthwoException e = failure(wrong.call(2, bytes(1, "x"), T));
        assertEquals(ErrorCode.AUTH, e.code(), e.getMessage());
        assertEquals(ErrorCode.AUTH, failure(wrong.call(2, bytes(1, "x"), T)).code(), "remembered failure keeps AUTH");

        WireClient raw = new WireClient(b.server().address());
        clients.add(raw);
        assertEquals(0, raw.call(Request.auth(1, Frames.ROLE_PEER, "the-cluster-secret")).status());
        assertEquals("B:RAW", text(raw.call(Request.peer(2, bytes(1, "raw"))).peerPayload()));
    }

    /** A data client cannot write versions and records through the peer path, also with the data secret. */
    @Test
    void aPeerFrameOnADataConnectionIsRefusedAndTheConnectionClosed() throws Exception {
        ServerComponent b = server(dataB, 0, "B", "earthwo.secret", "s3cret");
        WireClient anonymous = new WireClient(b.server().address());
        clients.add(anonymous);
        assertEquals(ErrorCode.AUTH, anonymous.call(Request.peer(1, bytes(1, "x"))).toException().code());
        assertTrue(anonymous.closedByServer(), "connection closed after a PEER without the peer role");

        WireClient dataClient = new WireClient(b.server().address());
        clients.add(dataClient);
        assertEquals(0, dataClient.call(Request.auth(1, Frames.ROLE_DATA, "s3cret")).status());
        Response r = dataClient.call(Request.peer(2, bytes(1, "x")));
        assertEquals(ErrorCode.AUTH, r.toException().code());
        assertTrue(r.toException().getMessage().contains("peer role"), r.toException().getMessage());
        assertTrue(dataClient.closedByServer(), "connection closed after a PEER without the peer role");
        assertEquals("2", String.valueOf(b.server().stats().status().get("peer.refused")));
        assertEquals("0", String.valueOf(b.server().stats().status().get("peer.requests")), "no handler ran");
    }

    /** A wrong cluster secret is an AUTH failure like a wrong data secret, and counts towards closing. */
    @Test
    void aWrongClusterSecretIsRefused() throws Exception {
        ServerComponent b = server(dataB, 0, "B");
        WireClient c = new WireClient(b.server().address());
        clients.add(c);
        Response r = c.call(Request.auth(1, Frames.ROLE_PEER, "guess"));
        assertEquals(ErrorCode.AUTH, r.toException().code());
        assertEquals(ErrorCode.AUTH, c.call(Request.peer(2, bytes(1, "x"))).toException().code());
    }

    @Test
    void noClusterViewIsUnavailable() throws Exception {
        PeerLinksComponent l = links(null);
        assertEquals(ErrorCode.UNAVAILABLE, failure(l.call(2, bytes(1, "x"), T)).code());
    }

    @Test
    void closeFailsPendingCallsAndLeavesNoThreads() throws Exception {
        for (int round = 0; round < 2; round++) {
            ServerComponent b = server(dataB, 0, "B");
            PeerLinksComponent l = links(new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b)))));
            assertEquals("B:X", text(await(l.call(2, bytes(1, "x"), T))));
            CompletableFuture<byte[]> hanging = l.call(2, new byte[] {2}, Duration.ofMinutes(1)).toCompletableFuture();
            Thread.sleep(50);
            l.deactivate();
            links.remove(l);
            assertEquals(ErrorCode.UNAVAILABLE, failure(hanging).code());
            assertEquals(ErrorCode.UNAVAILABLE, failure(l.call(2, bytes(1, "x"), T)).code());
            b.deactivate();
            servers.remove(b);
            LifecycleTest.awaitNoServerThreads();
        }
    }

    @Test
    void messageTypePropertyForms() {
        assertEquals(List.of(1), List.copyOf(PeerRouter.types(1)));
        assertEquals(List.of(1, 2), List.copyOf(PeerRouter.types(new int[] {2, 1})));
        assertEquals(List.of(1, 2), List.copyOf(PeerRouter.types(new Integer[] {1, 2})));
        assertEquals(List.of(3, 4), List.copyOf(PeerRouter.types(List.of(3L, "4"))));
        assertEquals(List.of(1, 2, 3), List.copyOf(PeerRouter.types("1,2 3")));
        assertEquals(List.of(16, 17, 18), List.copyOf(PeerRouter.types(new String[] {"16-18"})));
        assertEquals(List.of(255), List.copyOf(PeerRouter.types(new Object[] {-1, 256, 255, "x"})));
        assertTrue(PeerRouter.types(null).isEmpty());
        PeerRouter r = new PeerRouter();
        PeerHandler h = p -> null;
        r.add(h, Map.of(PeerHandler.MESSAGE_TYPES, "200"));
        assertNotNull(r.handler(200));
        assertEquals("200", r.types());
        r.remove(h);
        assertEquals(null, r.handler(200));
        if (r.handler(-1) != null || r.handler(256) != null) {
            fail("out of range");
        }
    }
}

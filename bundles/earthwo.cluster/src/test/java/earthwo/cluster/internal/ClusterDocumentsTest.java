package earthwo.cluster.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.cluster.ClusterDocuments;

/**
 * Cluster documents between nodes of one cluster on a real ZooKeeper: watched changes, concurrent
 * compare-and-set, deletion, the local copies a node reads while ZooKeeper is away, and the
 * requests refused.
 */
class ClusterDocumentsTest {

    /** Connection timeout of the nodes here (see TestNodes) plus room for a slow machine. */
    private static final long PROMPT_MS = 1_000 + 2_000;
    private static final long WAIT_MS = 15_000;
    private static final ClusterPaths PATHS = ClusterPaths.of(TestNodes.CLUSTER);

    @TempDir
    Path tmp;

    private TestNodes nodes;

    @BeforeEach
    void setUp() throws Exception {
        nodes = new TestNodes(tmp);
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
    }

    @Test
    void twoNodesSeeEachOthersUpdatesThroughTheirWatches() throws Exception {
        TestingServer server = nodes.zooKeeper();
        ClusterNode a = joined("a", server);
        ClusterNode b = joined("b", server);
        Recorder onA = new Recorder();
        Recorder onB = new Recorder();
        AutoCloseable watchOnA = a.documents().watch("indexes", onA);
        b.documents().watch("indexes", onB);
        TestNodes.await("both listeners told at once: no document yet", WAIT_MS,
                () -> onA.seen.size() == 1 && onB.seen.size() == 1);
        assertEquals(Optional.empty(), onA.last());

        String v1 = "{\"email\":\"json:$.email\"}";
        assertEquals(v1, a.documents().update("indexes", old -> {
            assertNull(old, "no document yet");
            return v1;
        }));
        assertEquals(Optional.of(v1), a.documents().read("indexes"), "the writer reads its change at once");
        TestNodes.await("b told of a's change", WAIT_MS, () -> onB.last().equals(Optional.of(v1)));
        assertEquals(Optional.of(v1), b.documents().read("indexes"));

        String v2 = b.documents().update("indexes", old -> old.replace("}", ",\"age\":\"json:$.age\"}"));
        TestNodes.await("a told of b's change", WAIT_MS, () -> onA.last().equals(Optional.of(v2)));
        assertEquals(List.of(Optional.empty(), Optional.of(v1), Optional.of(v2)), onA.seen,
                "every change once, in order");
        assertEquals(List.of(Optional.empty(), Optional.of(v1), Optional.of(v2)), onB.seen);
        for (Recorder r : List.of(onA, onB)) {
            assertFalse(r.overlapped, "never called concurrently");
            assertEquals(1, r.threads.size(), "one thread: " + r.threads);
            assertTrue(r.threads.iterator().next().startsWith("earthwo-cluster-docs-"), r.threads.toString());
        }

        watchOnA.close();
        String v3 = a.documents().update("indexes", old -> "{}");
        TestNodes.await("b told of the third change", WAIT_MS, () -> onB.last().equals(Optional.of(v3)));
        assertEquals(Optional.of(v3), a.documents().read("indexes"));
        assertEquals(3, onA.seen.size(), "a removed listener is not called");
    }

    @Test
    void concurrentUpdatesFromTwoNodesLoseNothing() throws Exception {
        TestingServer server = nodes.zooKeeper();
        List<ClusterNode> both = List.of(joined("a", server), joined("b", server));
        int perNode = 50;
        AtomicInteger changesApplied = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (ClusterNode node : both) {
                String prefix = "node-" + node.localNodeId() + "-";
                done.add(writers.submit(() -> {
                    go.await();
                    for (int i = 0; i < perNode; i++) {
                        String item = prefix + i;
                        node.documents().update("list", old -> {
                            changesApplied.incrementAndGet();
                            JsonArray items = old == null ? new JsonArray()
                                    : JsonParser.parseString(old).getAsJsonArray();
                            items.add(item);
                            return items.toString();
                        });
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writers.shutdownNow();
        }
        for (ClusterNode node : both) {
            TestNodes.await("every item seen by node " + node.localNodeId(), WAIT_MS,
                    () -> node.documents().read("list").map(c -> items(c).size()).orElse(0) == 2 * perNode);
            List<String> items = items(node.documents().read("list").orElseThrow());
            assertEquals(2 * perNode, Set.copyOf(items).size(), "no item twice");
            for (ClusterNode writer : both) {
                String prefix = "node-" + writer.localNodeId() + "-";
                List<String> own = items.stream().filter(s -> s.startsWith(prefix)).toList();
                assertEquals(IntStream.range(0, perNode).mapToObj(i -> prefix + i).toList(), own,
                        "each writer's items, all, in its order");
            }
        }
        assertTrue(changesApplied.get() >= 2 * perNode, "applied " + changesApplied.get());
    }

    @Test
    void aNodeRestartedWhileZooKeeperIsDownReadsTheLastContentItSaw() throws Exception {
        TestingServer server = nodes.zooKeeper();
        Map<String, Object> config = nodes.config("a", server.getConnectString());
        ClusterNode first = nodes.start(config);
        TestNodes.await("joined", WAIT_MS, first::joined);
        String flag = "{\"hooks.outbox\":true}";
        first.documents().update("flags", old -> flag);
        Path copy = tmp.resolve("a").resolve(KeptDocuments.DIR).resolve("flags" + KeptDocuments.SUFFIX);
        assertTrue(Files.isRegularFile(copy), "kept on disk once seen");
        nodes.stop(first);
        server.stop();

        ClusterNode again = nodes.start(config);
        assertFalse(again.isConnected());
        assertEquals(Optional.of(flag), again.documents().read("flags"), "the copy, at once");
        assertEquals(Optional.empty(), again.documents().read("other"));
        Recorder listener = new Recorder();
        again.documents().watch("flags", listener);
        TestNodes.await("the listener told of the copy", WAIT_MS, () -> listener.seen.size() == 1);
        assertEquals(Optional.of(flag), listener.last());

        server.restart();
        TestNodes.await("joined again", WAIT_MS, again::joined);
        assertEquals(flag, again.documents().update("flags", old -> old), "ZooKeeper still has it");
        assertEquals(Optional.of(flag), again.documents().read("flags"));
        assertEquals(List.of(Optional.of(flag)), listener.seen, "the same content is not told twice");
    }

    @Test
    void aDeletedDocumentIsGoneFromEveryNodeAndFromTheirCopies() throws Exception {
        TestingServer server = nodes.zooKeeper();
        ClusterNode a = joined("a", server);
        ClusterNode b = joined("b", server);
        a.documents().update("doomed", old -> "{}");
        TestNodes.await("b has it", WAIT_MS, () -> b.documents().read("doomed").isPresent());
        Recorder onA = new Recorder();
        a.documents().watch("doomed", onA);
        TestNodes.await("a's listener told", WAIT_MS, () -> onA.seen.size() == 1);

        assertNull(b.documents().update("doomed", old -> null));
        assertEquals(Optional.empty(), b.documents().read("doomed"));
        assertFalse(Files.exists(copy("b", "doomed")), "b's copy deleted");
        TestNodes.await("a told of the deletion", WAIT_MS, () -> onA.last().isEmpty());
        assertEquals(Optional.empty(), a.documents().read("doomed"));
        assertFalse(Files.exists(copy("a", "doomed")), "a's copy deleted");
        assertNull(a.curator().checkExists().forPath(PATHS.doc("doomed")));

        assertNull(a.documents().update("doomed", old -> null), "deleting what is not there writes nothing");
        assertEquals(List.of(Optional.of("{}"), Optional.empty()), onA.seen);
    }

    @Test
    void documentsChangedOrDeletedWhileANodeWasAwayAreUpToDateWhenItRejoins() throws Exception {
        TestingServer server = nodes.zooKeeper();
        ClusterNode a = joined("a", server);
        Map<String, Object> configB = nodes.config("b", server.getConnectString());
        ClusterNode b = nodes.start(configB);
        TestNodes.await("b joined", WAIT_MS, b::joined);
        a.documents().update("gone", old -> "{\"v\":1}");
        a.documents().update("changed", old -> "{\"v\":1}");
        TestNodes.await("b's copies", WAIT_MS,
                () -> Files.exists(copy("b", "gone")) && Files.exists(copy("b", "changed")));
        nodes.stop(b);

        a.documents().update("gone", old -> null);
        a.documents().update("changed", old -> "{\"v\":2}");
        ClusterNode back = nodes.start(configB);
        TestNodes.await("the deleted document dropped", WAIT_MS,
                () -> back.documents().read("gone").isEmpty() && !Files.exists(copy("b", "gone")));
        TestNodes.await("the changed document", WAIT_MS,
                () -> back.documents().read("changed").equals(Optional.of("{\"v\":2}")));
        assertTrue(new String(Files.readAllBytes(copy("b", "changed")), StandardCharsets.UTF_8).contains("v\\\":2"),
                "the copy follows");
    }

    @Test
    void invalidNamesAndOversizeContentAreBadRequestsAndChangeNothing() throws Exception {
        TestingServer server = nodes.zooKeeper();
        ClusterNode a = joined("a", server);
        ClusterDocuments docs = a.documents();
        docs.update("limits", old -> "{}");
        AtomicInteger changeCalls = new AtomicInteger();

        for (String name : Arrays.asList("", "A", "a/b", ".", "..", "x".repeat(65), "naïve", " a", "a b", null)) {
            assertBadRequest(() -> docs.update(name, old -> {
                changeCalls.incrementAndGet();
                return "{}";
            }));
            assertBadRequest(() -> docs.read(name));
            assertBadRequest(() -> docs.watch(name, c -> { }));
        }
        assertEquals(0, changeCalls.get(), "refused before anything is read");

        int max = DocumentRules.MAX_CONTENT_BYTES;
        assertBadRequest(() -> docs.update("limits", old -> "x".repeat(max + 1)));
        // fewer characters than the limit, more bytes in UTF-8
        assertBadRequest(() -> docs.update("limits", old -> "é".repeat(max / 2 + 1)));
        assertEquals(Optional.of("{}"), docs.read("limits"));
        assertEquals("{}", new String(a.curator().getData().forPath(PATHS.doc("limits")), StandardCharsets.UTF_8));

        String longest = "a.b_c-9" + "x".repeat(57);
        assertEquals(64, longest.length());
        String largest = "é".repeat(max / 2);
        assertEquals(largest, docs.update(longest, old -> largest), "the limits themselves are allowed");
        assertEquals(Optional.of(largest), docs.read(longest));
        assertEquals("[]", docs.update("...", old -> "[]"), "dots are fine, but for . and ..");
    }

    @Test
    void anUpdateWhileZooKeeperIsDownIsUnavailableWithinTheConnectionTimeout() throws Exception {
        TestingServer server = nodes.zooKeeper();
        ClusterNode a = joined("a", server);
        a.documents().update("flags", old -> "{\"on\":false}");
        server.stop();
        TestNodes.await("disconnected", WAIT_MS, () -> !a.isConnected());

        AtomicInteger changeCalls = new AtomicInteger();
        long t0 = System.nanoTime();
        EarthwoException e = assertThrows(EarthwoException.class, () -> a.documents().update("flags", old -> {
            changeCalls.incrementAndGet();
            return "{\"on\":true}";
        }));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(ErrorCode.UNAVAILABLE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("flags"), e.getMessage());
        assertTrue(tookMs < PROMPT_MS, "took " + tookMs + " ms");
        assertEquals(0, changeCalls.get(), "nothing read, so nothing changed");
        assertEquals(Optional.of("{\"on\":false}"), a.documents().read("flags"), "still readable");

        server.restart();
        TestNodes.await("connected again", WAIT_MS, a::isConnected);
        assertEquals("{\"on\":false}", a.documents().update("flags", old -> old), "no late write");
    }

    @Test
    void documentsGetTheClusterAclsLikeEveryOtherZnode() throws Exception {
        TestingServer server = nodes.zooKeeper();
        ClusterNode a = joined("a", server);
        a.documents().update("acl", old -> "{}");
        CuratorFramework foreign = nodes.closeLater(CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString()).retryPolicy(new RetryOneTime(100)).build());
        foreign.start();
        assertTrue(foreign.blockUntilConnected(10, TimeUnit.SECONDS));
        assertEquals("{}", new String(foreign.getData().forPath(PATHS.doc("acl")), StandardCharsets.UTF_8),
                "everyone may read");
        assertThrows(KeeperException.NoAuthException.class,
                () -> foreign.setData().forPath(PATHS.doc("acl"), "{\"x\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(KeeperException.NoAuthException.class, () -> foreign.create().forPath(PATHS.doc("other")));
        for (String path : List.of(PATHS.docs(), PATHS.doc("acl"))) {
            List<ACL> acl = a.curator().getACL().forPath(path);
            assertEquals(2, acl.size(), path + ": " + acl);
            assertEquals(Perms.ALL, acl.get(0).getPerms(), path);
            assertEquals(ZooKeeperAcl.SCHEME, acl.get(0).getId().getScheme(), path);
            assertEquals(new ACL(Perms.READ, Ids.ANYONE_ID_UNSAFE), acl.get(1), path);
        }
    }

    @Test
    void closingTheNodeDropsItsListenersAndEndsTheDocumentThread() throws Exception {
        TestingServer server = nodes.zooKeeper();
        ClusterNode a = joined("a", server);
        Recorder listener = new Recorder();
        a.documents().watch("flags", listener);
        a.documents().update("flags", old -> "{}");
        assertEquals(Optional.of("{}"), listener.last());
        nodes.stop(a);

        List<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("earthwo-") && n.endsWith("-" + a.localNodeId())).toList();
        assertEquals(List.of(), left);
        EarthwoException e = assertThrows(EarthwoException.class, () -> a.documents().watch("flags", c -> { }));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals(Optional.of("{}"), a.documents().read("flags"), "what it last knew");
        assertTrue(Files.isRegularFile(copy("a", "flags")), "the copy stays for the next start");
    }

    private ClusterNode joined(String name, TestingServer server) throws Exception {
        ClusterNode node = nodes.start(nodes.config(name, server.getConnectString()));
        TestNodes.await("node " + name + " joined", WAIT_MS, node::joined);
        return node;
    }

    private Path copy(String node, String doc) {
        return tmp.resolve(node).resolve(KeptDocuments.DIR).resolve(doc + KeptDocuments.SUFFIX);
    }

    private static List<String> items(String json) {
        return Arrays.asList(new Gson().fromJson(json, String[].class));
    }

    private static void assertBadRequest(Executable call) {
        EarthwoException e = assertThrows(EarthwoException.class, call);
        assertEquals(ErrorCode.BAD_REQUEST, e.code(), e.getMessage());
    }

    /** A listener that records what it was told, on which threads, and whether calls overlapped. */
    private static final class Recorder implements Consumer<Optional<String>> {

        final List<Optional<String>> seen = new CopyOnWriteArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        private final AtomicInteger inside = new AtomicInteger();
        volatile boolean overlapped;

        @Override
        public void accept(Optional<String> content) {
            if (inside.incrementAndGet() > 1) {
                overlapped = true;
            }
            seen.add(content);
            threads.add(Thread.currentThread().getName());
            inside.decrementAndGet();
        }

        Optional<String> last() {
            return seen.isEmpty() ? null : seen.get(seen.size() - 1);
        }
    }
}

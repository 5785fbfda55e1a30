package earthwo.server.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.NodeProperties;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.TestClusterView;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/**
 * A peer handler that declares itself {@link PeerHandler#INLINE} runs on the connection's I/O
 * thread, as a client's PUT does; any other on the server's peer threads.
 */
class InlinePeerHandlerTest extends PeerLinksTestSupport {

    /** Answers with the name of the thread it ran on. */
    private static final PeerHandler THREAD_NAME = payload -> CompletableFuture.completedFuture(
            ("x" + Thread.currentThread().getName()).getBytes(StandardCharsets.UTF_8));

    @Test
    void inlineHandlersRunOnTheIoThreadOthersOnThePeerThreads() throws Exception {
        Map<String, Object> m = new HashMap<>();
        m.put("earthwo.host", "127.0.0.1");
        m.put("earthwo.port", "0");
        m.put("earthwo.data", dataB.toString());
        m.put(NodeProperties.CLUSTER_SECRET_FILE, clusterSecretFile().toString());
        ServerComponent b = new ServerComponent();
        b.addPeerHandler(THREAD_NAME, Map.of(PeerHandler.MESSAGE_TYPES, 1, PeerHandler.INLINE, true));
        b.addPeerHandler(payload -> THREAD_NAME.handle(payload), Map.of(PeerHandler.MESSAGE_TYPES, 2));
        b.activate(m, k -> null);
        servers.add(b);
        TestClusterView view = new TestClusterView(1, TestClusterView.mapOf(1, Map.of(2, port(b))));
        PeerLinksComponent l = links(view);
        String inline = text(await(l.call(2, bytes(1, ""), T)));
        String pooled = text(await(l.call(2, bytes(2, ""), T)));
        assertTrue(inline.startsWith(NodeServer.THREAD_PREFIX + "-io"), inline);
        assertTrue(pooled.startsWith(NodeServer.THREAD_PREFIX + "-peer"), pooled);
    }
}

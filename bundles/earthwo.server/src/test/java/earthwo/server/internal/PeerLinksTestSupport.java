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
 * Real servers on 127.0.0.1 and the peer links between them, with a fixed cluster view that maps
 * node ids to the servers' real ports; everything a test starts is stopped after it.
 */
abstract class PeerLinksTestSupport {

    static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;
    @TempDir
    Path dataC;
    /** Holds the cluster secret file every server and link of a test shares, as nodes of one cluster do. */
    @TempDir
    Path shared;

    final List<ServerComponent> servers = new ArrayList<>();
    final List<PeerLinksComponent> links = new ArrayList<>();
    final List<WireClient> clients = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (WireClient c : clients) {
            c.close();
        }
        for (PeerLinksComponent l : links) {
            l.deactivate();
        }
        for (ServerComponent s : servers) {
            s.deactivate();
        }
    }

    // ---- set-up helpers ----

    /** Types 1 (echo with the node's tag), 2 (never answers), 3 (throws TOO_LARGE), 4 (fails TOO_LARGE), 5 (empty answer). */
    static final class TestHandler implements PeerHandler {
        final String tag;
        final CompletableFuture<byte[]> never = new CompletableFuture<>();

        TestHandler(String tag) {
            this.tag = tag;
        }

        @Override
        public CompletionStage<byte[]> handle(byte[] payload) {
            switch (payload[0]) {
                case 1: {
                    String body = new String(payload, 1, payload.length - 1, StandardCharsets.UTF_8);
                    return CompletableFuture.completedFuture(bytes(1, tag + ":" + body.toUpperCase()));
                }
                case 2:
                    return never;
                case 3:
                    throw new EarthwoException(ErrorCode.TOO_LARGE, "thrown by the handler");
                case 4:
                    return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.TOO_LARGE, "failed by the handler"));
                case 5:
                    return CompletableFuture.completedFuture(null);
                default:
                    return CompletableFuture.failedFuture(new IllegalStateException("unexpected type " + payload[0]));
            }
        }
    }

    static byte[] bytes(int type, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[t.length + 1];
        b[0] = (byte) type;
        System.arraycopy(t, 0, b, 1, t.length);
        return b;
    }

    static String text(byte[] b) {
        return new String(b, 1, b.length - 1, StandardCharsets.UTF_8);
    }

    ServerComponent server(Path data, int port, String tag, Object... more) {
        Map<String, Object> m = new HashMap<>();
        m.put("earthwo.host", "127.0.0.1");
        m.put("earthwo.port", String.valueOf(port));
        m.put("earthwo.data", data.toString());
        m.put("earthwo.server.io.threads", "1");
        m.put("earthwo.server.peer.threads", "2");
        m.put(NodeProperties.CLUSTER_SECRET_FILE, clusterSecretFile().toString());
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        ServerComponent s = new ServerComponent();
        // The forms DS may hand over: Integer[] for one handler, a String list for another.
        TestHandler h = new TestHandler(tag);
        s.addPeerHandler(h, Map.of(PeerHandler.MESSAGE_TYPES, new Integer[] {1, 2}));
        s.addPeerHandler(new PeerHandler() {
            @Override
            public CompletionStage<byte[]> handle(byte[] payload) {
                return h.handle(payload);
            }
        }, Map.of(PeerHandler.MESSAGE_TYPES, "3, 4,5-6"));
        s.activate(m, k -> null);
        servers.add(s);
        return s;
    }

    /** The cluster secret file of this test's cluster, written on first use. */
    Path clusterSecretFile() {
        Path file = shared.resolve("cluster.secret");
        try {
            if (!java.nio.file.Files.exists(file)) {
                java.nio.file.Files.writeString(file, "the-cluster-secret\n");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }

    static int port(ServerComponent s) {
        return s.server().address().getPort();
    }

    PeerLinksComponent links(TestClusterView view, Object... more) {
        Map<String, Object> m = new HashMap<>();
        m.put(NodeProperties.CLUSTER_SECRET_FILE, clusterSecretFile().toString());
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        PeerLinksComponent l = new PeerLinksComponent();
        l.cluster = view;
        l.activate(m, k -> null);
        links.add(l);
        return l;
    }

    static byte[] await(CompletionStage<byte[]> s) throws Exception {
        try {
            return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    static EarthwoException failure(CompletionStage<byte[]> s) throws Exception {
        try {
            byte[] b = s.toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + (b == null ? "null" : text(b)));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c instanceof CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof EarthwoException ee) {
                return ee;
            }
            throw new AssertionError("expected an EarthwoException", c);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within 10 s");
        }
    }
}

package earthwo.server.internal;

import earthwo.api.protocol.Request;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleTest extends ServerTestSupport {

    @Test
    void endpointFileIsWrittenAfterBindAndRemovedOnDeactivate() throws Exception {
        ServerComponent node = start();
        Path endpoint = data.resolve("endpoint");
        String text = Files.readString(endpoint, StandardCharsets.UTF_8).strip();
        assertEquals("127.0.0.1:" + node.server().address().getPort(), text);
        assertTrue(node.server().address().getPort() > 0);
        node.deactivate();
        started.remove(node);
        assertFalse(Files.exists(endpoint));
    }

    /**
     * A node whose Kv service is missing (its store or cluster failed to start) listens but serves
     * nothing: it writes no endpoint file, the sign bin/earthwo start waits for, until Kv is there.
     */
    @Test
    void endpointFileWaitsForTheKvService() throws Exception {
        ServerComponent node = new ServerComponent();
        node.activate(settings(), k -> null);
        started.add(node);
        Path endpoint = data.resolve("endpoint");
        assertTrue(node.server().address().getPort() > 0, "listening");
        assertFalse(Files.exists(endpoint), "no endpoint without Kv");
        node.bindKv(kv);
        assertEquals("127.0.0.1:" + node.server().address().getPort(),
                Files.readString(endpoint, StandardCharsets.UTF_8).strip());
    }

    /** Forgotten client connections do not hold slots of the connection limit for ever. */
    @Test
    void idleClientConnectionsAreClosed() throws Exception {
        ServerComponent node = start(settings("earthwo.server.idle.timeout.ms", "300"));
        WireClient idle = connect(node);
        idle.call(Request.ping(1));
        assertTrue(idle.closedByServer(), "closed after being idle");
        assertEquals("1", String.valueOf(node.server().stats().status().get("connections.idle.closed")));
        WireClient busy = connect(node);
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(900);
        for (int id = 2; System.nanoTime() < until; id++) {
            busy.call(Request.ping(id)); // traffic for three idle timeouts keeps it open
        }
        assertEquals("1", String.valueOf(node.server().stats().status().get("connections.idle.closed")));
    }

    @Test
    void deactivateLeavesNoServerThreadsEvenWithOpenConnections() throws Exception {
        for (int round = 0; round < 3; round++) {
            ServerComponent node = start(settings("earthwo.server.offload.data", "true"));
            WireClient a = connect(node);
            WireClient b = connect(node);
            a.call(Request.ping(1));
            b.call(Request.status(2));
            node.deactivate();
            started.remove(node);
            assertTrue(a.closedByServer());
            assertTrue(b.closedByServer());
            awaitNoServerThreads();
        }
    }

    @Test
    void portInUseFailsActivationAndLeavesNoThreads() throws Exception {
        ServerComponent first = start();
        int port = first.server().address().getPort();
        ServerComponent second = new ServerComponent();
        try {
            second.activate(settings("earthwo.port", String.valueOf(port)), k -> null);
            throw new AssertionError("second bind on " + port + " succeeded");
        } catch (java.io.UncheckedIOException expected) {
            assertTrue(expected.getMessage().contains(String.valueOf(port)), expected.getMessage());
        }
        first.deactivate();
        started.remove(first);
        awaitNoServerThreads();
    }

    static void awaitNoServerThreads() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        List<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive)
                    .map(Thread::getName)
                    .filter(n -> n.contains(NodeServer.THREAD_PREFIX))
                    .collect(Collectors.toList());
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(20);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("server threads still alive: " + left);
    }
}

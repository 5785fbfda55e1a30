package earthwo.hooks.webhook.internal;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;

/**
 * A real HTTP receiver on 127.0.0.1 (any free port) that records every request and answers with
 * the status its supplier gives, optionally after a pause (a slow receiver). Close it in a
 * finally block or @AfterEach.
 */
final class TestReceiver implements AutoCloseable {

    record Request(String method, Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    /** Released on close, so a handler told to stall does not outlive the test. */
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile IntSupplier status = () -> 200;
    private volatile String answer = "ok";
    private volatile boolean stall;

    TestReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestHeaders(), body));
                if (stall) {
                    closing.await();
                    return;
                }
                byte[] out = answer.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status.getAsInt(), out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    try (OutputStream o = exchange.getResponseBody()) {
                        o.write(out);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    TestReceiver answering(int code, String body) {
        this.status = () -> code;
        this.answer = body;
        return this;
    }

    TestReceiver answering(IntSupplier code) {
        this.status = code;
        return this;
    }

    /** Reads requests but never answers them. */
    TestReceiver stalling() {
        this.stall = true;
        return this;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}

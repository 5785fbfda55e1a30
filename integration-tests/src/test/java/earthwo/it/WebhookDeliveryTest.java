package earthwo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import earthwo.api.Keys;
import earthwo.api.Version;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.testing.Poll;
import earthwo.client.EarthwoClients;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in webhook end to end, with a real node process and a real HTTP receiver: the
 * receiver fails every POST (500) for its first {@value #FAILING_SECONDS} s, as a receiver that
 * is down, then accepts. Keys are written and deleted while it fails and after; every change must
 * arrive once it has recovered (at least once: repeats are allowed and counted), each request
 * signed with the secret from the webhook's secret file, and {@code hook:webhooks} must not show
 * the secret. The webhook is configured the way an operator does it: a {@code .cfg} file dropped
 * into the node's deploy/ directory.
 */
class WebhookDeliveryTest {

    /** How long the receiver answers 500 (the issue: a receiver down for 30 s loses nothing). */
    static final int FAILING_SECONDS = 30;

    private static final String HOOK = "it-orders";
    private static final String SECRET = "webhook-it-secret-" + Long.toHexString(System.nanoTime());
    private static final Duration DELIVERED_WITHIN = Duration.ofSeconds(120);

    @TempDir
    Path data;

    @TempDir
    Path deploy;

    @TempDir
    Path files;

    /** One change the test made and expects an event for. */
    private record Change(String type, String key, Version version) {
    }

    /** One event as the receiver saw it. */
    private record Seen(String id, String type, String key, String version) {
    }

    /** The receiver: answers 500 until {@code recoverAt} (nanoTime), then 200; checks every signature. */
    private static final class Receiver implements AutoCloseable {
        private static final Pattern EVENT = Pattern.compile("\\{[^{}]*\\}");

        final long recoverAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(FAILING_SECONDS);
        final List<Seen> accepted = new CopyOnWriteArrayList<>();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger badSignatures = new AtomicInteger();
        final List<String> problems = new CopyOnWriteArrayList<>();
        private final ExecutorService executor = Executors.newFixedThreadPool(2);
        private final HttpServer server;

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(executor);
            server.createContext("/", exchange -> {
                try (exchange) {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    String signature = exchange.getRequestHeaders().getFirst("X-Earthwo-Signature");
                    if (!sign(body).equals(signature)) {
                        badSignatures.incrementAndGet();
                        problems.add("bad signature " + signature + " on " + new String(body, StandardCharsets.UTF_8));
                    }
                    if (!HOOK.equals(exchange.getRequestHeaders().getFirst("X-Earthwo-Hook"))
                            || !"application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                        problems.add("headers " + exchange.getRequestHeaders().entrySet());
                    }
                    boolean down = System.nanoTime() < recoverAt;
                    if (down) {
                        refused.incrementAndGet();
                    } else {
                        accepted.addAll(events(new String(body, StandardCharsets.UTF_8)));
                    }
                    exchange.sendResponseHeaders(down ? 500 : 200, -1);
                } catch (RuntimeException e) {
                    problems.add(e.toString());
                    exchange.sendResponseHeaders(400, -1);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/earthwo";
        }

        /** The events of a body; the events are flat objects, so a pattern finds them without a JSON library. */
        private static List<Seen> events(String json) {
            List<Seen> seen = new ArrayList<>();
            int start = json.indexOf("\"events\":[");
            if (start < 0 || !json.contains("\"hook\":\"" + HOOK + "\"")) {
                throw new IllegalStateException("not a webhook body: " + json);
            }
            Matcher m = EVENT.matcher(json);
            m.region(start, json.length());
            while (m.find()) {
                String e = m.group();
                seen.add(new Seen(field(e, "id"), field(e, "type"), field(e, "key"), field(e, "version")));
            }
            return seen;
        }

        private static String field(String event, String name) {
            Matcher m = Pattern.compile("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(event);
            return m.find() ? m.group(1) : null;
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** HMAC-SHA256 of the body with the secret, computed here, not by the node's code. */
    static String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The version as the webhook writes it: packed timestamp, a dot, the node. */
    private static String version(Version v) {
        return Long.toUnsignedString(v.timestamp()) + "." + v.nodeId();
    }

    @Test
    void everyChangeArrivesSignedOnceTheReceiverRecoversAndTheSecretIsNeverShown() throws Exception {
        Path secretFile = files.resolve("webhook.secret");
        Files.writeString(secretFile, SECRET + "\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        NodeProcess node = new NodeProcess(data, NodeProcess.freePort());
        Receiver receiver = null;
        try {
            startWithDeployDir(node, "-Dearthwo.storage.outbox.enabled=true");
            receiver = new Receiver();
            writeConfig(receiver.url(), secretFile);
            Poll.until("the webhook started", Duration.ofSeconds(30), () -> log(node).contains("started webhook " + HOOK));

            List<Change> changes = new ArrayList<>();
            try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint())
                    .withRequestTimeout(Duration.ofSeconds(10)))) {
                // The first change proves the dispatcher delivers to the webhook: its POST is refused.
                changes.add(put(client, "order:probe", "CREATED"));
                Receiver r = receiver;
                Poll.until("a first (refused) POST", Duration.ofSeconds(20), () -> r.refused.get() > 0);

                // While the receiver fails: creates, updates, deletes, and a key the prefix filter leaves out.
                writeChanges(client, changes, 0);
                client.put(Keys.utf8("other:1"), Keys.utf8("not for this hook"));
                assertTrue(System.nanoTime() < receiver.recoverAt, "the writes took longer than the receiver's failing period");

                long waitNanos = receiver.recoverAt - System.nanoTime();
                Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(waitNanos)) + 200);

                // After it recovered.
                writeChanges(client, changes, 100);
            }

            Receiver r = receiver;
            Poll.until("every change delivered", DELIVERED_WITHIN, () -> missing(changes, r.accepted).isEmpty());

            Map<String, Integer> byId = new LinkedHashMap<>();
            r.accepted.forEach(s -> byId.merge(s.id(), 1, Integer::sum));
            long repeats = byId.values().stream().mapToLong(n -> n - 1).sum();
            System.out.println("webhook delivery: " + changes.size() + " changes, " + r.accepted.size() + " events accepted ("
                    + byId.size() + " distinct, " + repeats + " repeated), " + r.refused.get() + " POSTs refused while down, "
                    + r.badSignatures.get() + " bad signatures");

            assertEquals(List.of(), r.problems);
            assertEquals(0, r.badSignatures.get());
            assertTrue(r.refused.get() > 0, "the receiver refused POSTs while down");
            assertTrue(r.accepted.stream().noneMatch(s -> s.key() != null && s.key().startsWith("other:")),
                    "the prefix filter left out other:1");

            NodeProcess.ProcessResult list = node.earthwo("exec", "--data", data.toString(), "hook:webhooks");
            assertEquals(0, list.exitCode(), list.output());
            assertTrue(list.output().contains("webhook " + HOOK + "  url=" + receiver.url()) && list.output().contains("secret=set"),
                    list.output());
            assertFalse(list.output().contains(SECRET), list.output());
            assertFalse(log(node).contains(SECRET), "the node's log shows the secret");
        } catch (AssertionError | Exception e) {
            System.out.println("node log:\n" + node.logTail());
            throw e;
        } finally {
            if (receiver != null) {
                receiver.close();
            }
            node.close();
        }
    }

    /** 20 keys created, the first 5 updated, the last 5 deleted; each change recorded. */
    private static void writeChanges(KvClient client, List<Change> changes, int base) {
        for (int i = base; i < base + 20; i++) {
            changes.add(put(client, "order:" + i, "CREATED"));
        }
        for (int i = base; i < base + 5; i++) {
            changes.add(put(client, "order:" + i, "UPDATED"));
        }
        for (int i = base + 15; i < base + 20; i++) {
            assertTrue(client.delete(Keys.utf8("order:" + i)));
            changes.add(new Change("DELETED", "order:" + i, null));
        }
    }

    private static Change put(KvClient client, String key, String type) {
        Version v = client.put(Keys.utf8(key), Keys.utf8("value of " + key));
        return new Change(type, key, v);
    }

    /** The changes no accepted event stands for: a put by its type, key and version, a delete by its type and key. */
    private static List<Change> missing(List<Change> changes, List<Seen> seen) {
        List<Change> missing = new ArrayList<>();
        for (Change c : changes) {
            boolean found = seen.stream().anyMatch(s -> c.type().equals(s.type()) && c.key().equals(s.key())
                    && (c.version() == null || version(c.version()).equals(s.version())));
            if (!found) {
                missing.add(c);
            }
        }
        return missing;
    }

    /**
     * {@code bin/earthwo start} with this test's own deploy/ directory (EARTHWO_DEPLOY), so the
     * webhook's .cfg file affects this node only, not the distribution's deploy/ other tests share.
     */
    private void startWithDeployDir(NodeProcess node, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(NodeProcess.distribution().resolve("bin/earthwo").toString(), "start",
                "--data", data.toString(), "--port", String.valueOf(node.port())));
        cmd.addAll(List.of(options));
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

    /** The .cfg file, moved into deploy/ whole, so FileInstall never reads half of it. */
    private void writeConfig(String url, Path secretFile) throws IOException {
        Path tmp = files.resolve("webhook.cfg.tmp");
        Files.writeString(tmp, String.join("\n",
                "name=" + HOOK,
                "url=" + url,
                "prefixes=order:",
                "secret.file=" + secretFile,
                "batch.size=20",
                "timeout.ms=5000",
                "backoff.max.ms=2000",
                ""));
        Files.move(tmp, deploy.resolve("earthwo.hooks.webhook-" + HOOK + ".cfg"), StandardCopyOption.ATOMIC_MOVE);
    }

    private static String log(NodeProcess node) {
        try {
            return Files.readString(node.dataDir().resolve("earthwo.log"));
        } catch (IOException e) {
            return "";
        }
    }
}

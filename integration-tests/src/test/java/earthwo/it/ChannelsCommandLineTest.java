package earthwo.it;

import earthwo.api.Keys;
import earthwo.api.Limits;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.client.ChannelSubscription;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.testing.Poll;
import earthwo.client.EarthwoClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Channels through {@code bin/earthwo} against a node with a data secret: {@code subscribe} with a
 * channel and a pattern in one process while {@code publish} runs in others, a key-event mirror
 * made with {@code channel:mirror} through {@code exec}, and the exit codes of what is refused (a
 * bad pattern, a message over the value limit, a publish or subscribe without the secret).
 */
class ChannelsCommandLineTest {

    private static final String SECRET = "channels-cli-secret";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern WITH_IDS = Pattern.compile("([^\t]+)\t(\\d+-[0-9a-f]{16})\t(\\d+)\t(.*)");

    @TempDir
    static Path data;

    @TempDir
    static Path files;

    private static NodeProcess node;

    @BeforeAll
    static void start() throws Exception {
        node = new NodeProcess(data).start("-Dearthwo.secret=" + SECRET);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aSubscriberPrintsWhatItsChannelAndPatternGetWithIdsAndExits() throws Exception {
        try (Background sub = Background.start("orders", "--data", data.toString(), "subscribe", "audit",
                "--pattern", "orders.*", "--count", "3", "--with-ids", "--timeout", "60")) {
            sub.awaitSubscribed();
            assertEquals(List.of("1"), lines(publish("orders.eu", "first")), "the node itself took it");
            publish("stock.eu", "not for this subscriber");
            publish("audit", "second");
            publish("orders.us", "third");
            assertEquals(0, sub.awaitExit(), sub.describe());
            List<String> out = sub.stdoutLines();
            assertEquals(3, out.size(), sub.describe());
            String[][] expected = {{"orders.eu", "first"}, {"audit", "second"}, {"orders.us", "third"}};
            for (int i = 0; i < 3; i++) {
                var m = WITH_IDS.matcher(out.get(i));
                assertTrue(m.matches(), "CHANNEL, PUBLISHER, SEQUENCE, MESSAGE: " + out.get(i));
                assertEquals(expected[i][0], m.group(1));
                assertEquals("1", m.group(3), "the first message of its channel from this node");
                assertEquals(expected[i][1], m.group(4));
            }
        }
    }

    @Test
    void aMirrorPublishesKeyChangesAsJson() throws Exception {
        try (Background sub = Background.start("mirror", "--data", data.toString(), "subscribe", "mirror.orders",
                "--count", "3", "--timeout", "60");
             KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint()).withSecret(SECRET)
                     .withRequestTimeout(Duration.ofSeconds(10)))) {
            sub.awaitSubscribed();
            NodeProcess.ProcessResult mirror = exec("channel:mirror orders mirror.orders --prefix order:");
            assertEquals(0, mirror.exitCode(), mirror.output());
            Poll.until("the mirror's hook active", WAIT, () -> hookLine("channel-mirror-orders").contains(" state=active"),
                    () -> hookLine("channel-mirror-orders"));

            client.put(Keys.utf8("other:1"), Keys.utf8("left out by the prefix"));
            client.put(Keys.utf8("order:1"), Keys.utf8("v1"));
            client.put(Keys.utf8("order:1"), Keys.utf8("v2"));
            client.delete(Keys.utf8("order:1"));

            assertEquals(0, sub.awaitExit(), sub.describe());
            List<String> out = sub.stdoutLines();
            assertEquals(3, out.size(), sub.describe());
            String[] types = {"CREATED", "UPDATED", "DELETED"};
            for (int i = 0; i < 3; i++) {
                String line = out.get(i);
                assertTrue(line.startsWith("mirror.orders\t{") && line.endsWith("}"), line);
                assertTrue(line.contains("\"mirror\":\"orders\""), line);
                assertTrue(line.contains("\"type\":\"" + types[i] + "\""), line);
                assertTrue(line.contains("\"key\":\"order:1\""), line);
                assertTrue(line.contains("\"version\":\""), line);
            }
        } finally {
            exec("channel:unmirror orders");
        }
    }

    /** A listener reacts to a message by reading the key it names, with the client it subscribed through. */
    @Test
    void aListenerMayCallTheClientItSubscribedWith() throws Exception {
        List<String> read = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Throwable> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(node.endpoint()).withSecret(SECRET)
                .withRequestTimeout(Duration.ofSeconds(10)))) {
            client.put(Keys.utf8("lookup:1"), Keys.utf8("ada"));
            client.put(Keys.utf8("lookup:2"), Keys.utf8("grace"));
            try (ChannelSubscription s = client.subscribe(SubscribeRequest.ofChannels("lookups"), new ChannelListener() {
                @Override
                public void onMessage(ChannelMessage m) {
                    try {
                        read.add(Keys.string(client.get(m.payload()).orElseThrow().value()));
                    } catch (RuntimeException e) {
                        failed.add(e);
                    }
                }
            })) {
                s.ready().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                client.publish("lookups", Keys.utf8("lookup:1"));
                client.publish("lookups", Keys.utf8("lookup:2"));
                Poll.until("the listener read both keys", WAIT, () -> read.size() + failed.size() >= 2,
                        () -> read + " " + failed);
            }
        }
        assertEquals(List.of(), failed);
        assertEquals(List.of("ada", "grace"), read);
    }

    @Test
    void refusedInputExitsWithItsCode() throws Exception {
        NodeProcess.ProcessResult badPattern = run(null, true, "--data", data.toString(), "subscribe", "--pattern", "a.***");
        assertEquals(64, badPattern.exitCode(), badPattern.output());
        assertTrue(badPattern.output().contains("'*' in a row"), badPattern.output());

        byte[] tooLarge = new byte[Limits.MAX_VALUE_BYTES + 1];
        Arrays.fill(tooLarge, (byte) 'x');
        NodeProcess.ProcessResult large = run(tooLarge, true, "--data", data.toString(), "publish", "big", "-");
        assertEquals(2, large.exitCode(), large.output());
        assertTrue(large.output().contains("TOO_LARGE"), large.output());

        NodeProcess.ProcessResult noSecret = run(null, false, "--data", data.toString(), "publish", "orders.eu", "x");
        assertEquals(2, noSecret.exitCode(), noSecret.output());
        assertTrue(noSecret.output().contains("AUTH"), noSecret.output());
        NodeProcess.ProcessResult subscribeNoSecret = run(null, false, "--data", data.toString(), "subscribe", "orders.eu",
                "--timeout", "10");
        assertEquals(2, subscribeNoSecret.exitCode(), subscribeNoSecret.output());
        assertTrue(subscribeNoSecret.output().contains("AUTH"), subscribeNoSecret.output());
    }

    // ---------------------------------------------------------------- helpers

    private static NodeProcess.ProcessResult publish(String channel, String message) throws Exception {
        NodeProcess.ProcessResult r = run(null, true, "--data", data.toString(), "publish", channel, message);
        assertEquals(0, r.exitCode(), r.output());
        return r;
    }

    private static NodeProcess.ProcessResult exec(String command) throws Exception {
        return run(null, false, "--data", data.toString(), "exec", command);
    }

    /** The hook's line of hook:list ("" when it is not listed). */
    private static String hookLine(String name) {
        try {
            return lines(exec("hook:list")).stream().filter(l -> l.startsWith(name + " ")).findFirst().orElse("");
        } catch (Exception e) {
            return "";
        }
    }

    private static List<String> lines(NodeProcess.ProcessResult r) {
        return r.output().isEmpty() ? List.of() : List.of(r.output().split("\n"));
    }

    private static ProcessBuilder earthwo(boolean withSecret, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(NodeProcess.distribution().resolve("bin/earthwo").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("EARTHWO_SECRET");
        if (withSecret) {
            pb.environment().put("EARTHWO_SECRET", SECRET);
        }
        return pb;
    }

    /** Runs bin/earthwo to its end with {@code stdin} (null: none); output and errors together. */
    private static NodeProcess.ProcessResult run(byte[] stdin, boolean withSecret, String... args) throws Exception {
        Process p = earthwo(withSecret, args).redirectErrorStream(true).start();
        try {
            Thread feeder = new Thread(() -> {
                try (var in = p.getOutputStream()) {
                    if (stdin != null) {
                        in.write(stdin);
                    }
                } catch (IOException e) {
                    // the command ended without reading everything
                }
            }, "channels-cli-stdin");
            feeder.start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "bin/earthwo " + String.join(" ", args) + " ended");
            feeder.join(TimeUnit.SECONDS.toMillis(10));
            return new NodeProcess.ProcessResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    /** A bin/earthwo process left running, its stdout and stderr in files; closing it kills it if still there. */
    private static final class Background implements AutoCloseable {
        private final Process process;
        private final Path stdout;
        private final Path stderr;

        private Background(Process process, Path stdout, Path stderr) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        static Background start(String name, String... args) throws IOException {
            Path out = files.resolve(name + ".out");
            Path err = files.resolve(name + ".err");
            Process p = earthwo(true, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            return new Background(p, out, err);
        }

        void awaitSubscribed() throws InterruptedException {
            Poll.until("'# subscribed on' from the subscriber", WAIT,
                    () -> read(stderr).contains("# subscribed on " + endpoint()) || !process.isAlive(), this::describe);
            assertTrue(process.isAlive(), describe());
        }

        int awaitExit() throws InterruptedException {
            assertTrue(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the subscriber ended: " + describe());
            return process.exitValue();
        }

        List<String> stdoutLines() {
            String s = read(stdout);
            return s.isEmpty() ? List.of() : List.of(s.split("\n"));
        }

        String describe() {
            return "stdout: " + read(stdout) + "; stderr: " + read(stderr);
        }

        private static String endpoint() {
            try {
                return node.endpoint();
            } catch (IOException e) {
                return "?";
            }
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

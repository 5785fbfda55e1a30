package earthwo.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One Earthwo node run from the assembled distribution as a separate process, through the same
 * {@code bin/earthwo} commands an operator uses. Always {@link #close()} it (the tests do so in
 * finally blocks / @AfterEach), which stops the process also when a test failed.
 */
public final class NodeProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path home;
    private final Path dataDir;
    /** Fixed for the life of this object, so a restarted node is found where it was. */
    private final int port;

    NodeProcess(Path dataDir) throws IOException {
        this(dataDir, freePort());
    }

    public NodeProcess(Path dataDir, int port) {
        this.home = distribution();
        this.dataDir = dataDir;
        this.port = port;
    }

    /** A concrete port, not 0: the node publishes its configured port in the segment map. */
    public static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public static Path distribution() {
        String dir = System.getProperty("earthwo.distribution", "../distribution/target/earthwo");
        Path p = Paths.get(dir).toAbsolutePath().normalize();
        if (!Files.isExecutable(p.resolve("bin/earthwo"))) {
            throw new IllegalStateException("no assembled distribution at " + p + " (build the distribution module first)");
        }
        return p;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Starts the node in the background and waits until it serves. */
    public NodeProcess start(String... extraOptions) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("start", "--data", dataDir.toString(), "--port", String.valueOf(port)));
        args.addAll(List.of(extraOptions));
        ProcessResult r = earthwo(args.toArray(new String[0]));
        if (r.exitCode != 0) {
            throw new IllegalStateException("bin/earthwo start failed (" + r.exitCode + "):\n" + r.output + "\nlog:\n" + logTail());
        }
        return this;
    }

    /** The address the running node listens on, as written by the server. */
    public String endpoint() throws IOException {
        return Files.readString(dataDir.resolve("endpoint"), StandardCharsets.UTF_8).trim();
    }

    public InetSocketAddress address() throws IOException {
        String[] hp = endpoint().split(":");
        return new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
    }

    Optional<ProcessHandle> process() {
        try {
            long pid = Long.parseLong(Files.readString(dataDir.resolve("earthwo.pid")).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean isAlive() {
        return process().isPresent();
    }

    /** kill -9: the JVM gets no chance to flush or close anything. */
    public void kill9() throws InterruptedException {
        ProcessHandle p = process().orElseThrow(() -> new IllegalStateException("node is not running"));
        p.destroyForcibly();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (p.isAlive()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("process " + p.pid() + " survived kill -9");
            }
            Thread.sleep(20);
        }
    }

    /** True if a TCP connection to the node's endpoint succeeds. */
    boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(address(), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public ProcessResult earthwo(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/earthwo").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("EARTHWO_DATA", dataDir.toString());
        // a loaded 2-core CI box can take longer than the script's 60 s default to start a node
        pb.environment().putIfAbsent("EARTHWO_START_TIMEOUT", String.valueOf(START_TIMEOUT.toSeconds()));
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/earthwo " + String.join(" ", args) + " did not finish");
        }
        return new ProcessResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("earthwo.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the node: bin/earthwo stop, then kill -9 if anything is left. Safe to call twice. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (isAlive()) {
            earthwo("stop", "--data", dataDir.toString());
        }
        Optional<ProcessHandle> left = process();
        if (left.isPresent()) {
            left.get().destroyForcibly();
            left.get().onExit().join();
        }
    }

    public record ProcessResult(int exitCode, String output) {
    }
}

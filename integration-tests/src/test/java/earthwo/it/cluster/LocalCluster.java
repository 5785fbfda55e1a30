package earthwo.it.cluster;

import earthwo.api.cluster.SegmentMap;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.api.testing.Poll;
import earthwo.it.NodeProcess;
import earthwo.it.RawConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A cluster of separate node processes on 127.0.0.1 with a standalone ZooKeeper, all started
 * through {@code bin/earthwo} as an operator would. {@link #close()} stops every process it
 * started, also when the test failed.
 */
final class LocalCluster implements AutoCloseable {

    private final Path root;
    private final String name;
    private final int zkPort;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private boolean zkStarted;

    LocalCluster(Path root, String name) throws IOException {
        this.root = root;
        this.name = name;
        this.zkPort = NodeProcess.freePort();
    }

    /**
     * Starts the standalone ZooKeeper. On failure everything this cluster started is stopped
     * before the exception propagates: tests call this in the resource line of a
     * try-with-resources, where a throw means {@link #close()} is never called for them.
     */
    LocalCluster startZooKeeper() throws IOException, InterruptedException {
        try {
            NodeProcess.ProcessResult r = tool().earthwo("zk", "start", "--port", String.valueOf(zkPort),
                    "--data", root.resolve("zk").toString());
            zkStarted = true; // also on a failed start: zk stop cleans up whatever it left
            if (r.exitCode() != 0) {
                throw new IllegalStateException("bin/earthwo zk start failed: " + r.output());
            }
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAfterFailure(e);
            throw e;
        }
    }

    private void closeAfterFailure(Exception cause) {
        try {
            close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Stops the standalone ZooKeeper ({@code bin/earthwo zk stop}); {@link #startZooKeeper()}
     * starts it again on the same port with the same data directory.
     */
    LocalCluster stopZooKeeper() throws IOException, InterruptedException {
        NodeProcess.ProcessResult r = tool().earthwo("zk", "stop", "--data", root.resolve("zk").toString());
        if (r.exitCode() != 0) {
            throw new IllegalStateException("bin/earthwo zk stop failed: " + r.output());
        }
        return this;
    }

    /** Starts {@code count} more nodes, each with its own data directory and port. */
    LocalCluster startNodes(int count) throws IOException, InterruptedException {
        return startNodes(count, new String[0]);
    }

    /**
     * Starts {@code count} more nodes with extra start options (e.g. {@code -Dkey=value}). On
     * failure every process of this cluster is stopped before the exception propagates (see
     * {@link #startZooKeeper()}).
     */
    LocalCluster startNodes(int count, String... options) throws IOException, InterruptedException {
        try {
            for (int i = 0; i < count; i++) {
                NodeProcess n = new NodeProcess(root.resolve("n" + (nodes.size() + 1)), NodeProcess.freePort());
                nodes.add(n);
                giveClusterSecret(n.dataDir());
                List<String> args = new ArrayList<>(List.of("--cluster", name, "--zk", "127.0.0.1:" + zkPort));
                args.addAll(List.of(options));
                n.start(args.toArray(new String[0]));
            }
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAfterFailure(e);
            throw e;
        }
    }

    /**
     * Copies the cluster's secret into a node's data directory, as an operator does for every
     * node of a cluster; the secret itself is made once with {@code bin/earthwo secret}.
     */
    private void giveClusterSecret(Path dataDir) throws IOException, InterruptedException {
        Path secret = root.resolve("cluster.secret");
        if (!Files.exists(secret)) {
            NodeProcess.ProcessResult r = tool().earthwo("secret", secret.toString());
            if (r.exitCode() != 0) {
                throw new IllegalStateException("bin/earthwo secret failed: " + r.output());
            }
        }
        Files.createDirectories(dataDir);
        Path target = dataDir.resolve("cluster.secret");
        if (!Files.exists(target)) {
            Files.copy(secret, target);
        }
    }

    String zkAddress() {
        return "127.0.0.1:" + zkPort;
    }

    NodeProcess node(int index) {
        return nodes.get(index);
    }

    List<NodeProcess> nodes() {
        return nodes;
    }

    /** Seeds for a client: every node's address. */
    String[] seeds() throws IOException {
        String[] s = new String[nodes.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = "127.0.0.1:" + nodes.get(i).port();
        }
        return s;
    }

    /** Runs a Gogo command on a node through {@code bin/earthwo exec}. */
    NodeProcess.ProcessResult exec(int index, String command) throws IOException, InterruptedException {
        return nodes.get(index).earthwo("--data", nodes.get(index).dataDir().toString(), "exec", command);
    }

    /** The segment map as a node serves it to clients. */
    SegmentMap map(int index) throws IOException {
        try (RawConnection c = new RawConnection(nodes.get(index).address())) {
            Response r = c.call(Request.map(1));
            if (r.isError()) {
                throw r.toException();
            }
            return r.segmentMap();
        }
    }

    /** A node's STATUS answer (every status source's facts, as text). */
    Map<String, String> status(int index) throws IOException {
        try (RawConnection c = new RawConnection(nodes.get(index).address())) {
            Response r = c.call(Request.status(1));
            if (r.isError()) {
                throw r.toException();
            }
            return r.statusMap();
        }
    }

    /** Records in a node's own store ({@code storage.records}), or -1 while it does not answer. */
    long storedRecords(int index) {
        try {
            return Long.parseLong(status(index).getOrDefault("storage.records", "-1"));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Waits until each of the first {@code nodes} nodes serves a map of that many nodes in which
     * every segment has that many replicas, and has its links to the others.
     */
    void awaitEveryNodeHoldsEverySegment(int nodes, Duration timeout) throws InterruptedException {
        for (int i = 0; i < nodes; i++) {
            awaitMap(i, m -> m.nodes().size() == nodes && everySegmentHas(m, nodes), timeout,
                    "node " + i + ": " + nodes + " nodes and " + nodes + " replicas of every segment");
        }
        for (int i = 0; i < nodes; i++) {
            awaitStatus(i, "kv.peer.links", "true", timeout);
        }
    }

    /** Polls one fact of a node's STATUS (its status sources) until it has the value; a restarting node is polled again. */
    void awaitStatus(int index, String key, String value, Duration timeout) throws InterruptedException {
        AtomicReference<Map<String, String>> last = new AtomicReference<>(Map.of());
        try {
            Poll.until("node " + index + ": " + key + " = " + value, timeout, () -> {
                try {
                    last.set(status(index));
                } catch (IOException | RuntimeException restarting) {
                    return false;
                }
                return value.equals(last.get().get(key));
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last status " + last.get(), e);
        }
    }

    /** Polls a node's map until it satisfies the condition. */
    SegmentMap awaitMap(int index, Predicate<SegmentMap> condition, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SegmentMap last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = map(index);
                if (condition.test(last)) {
                    return last;
                }
            } catch (IOException | RuntimeException e) {
                // node restarting: try again
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; last map " + last);
    }

    /** True if every segment has exactly {@code replicas} replicas, all serving (none syncing). */
    static boolean everySegmentHas(SegmentMap m, int replicas) {
        if (!m.allSyncing().isEmpty()) {
            return false;
        }
        for (int s = 0; s < m.segmentCount(); s++) {
            if (m.replicas(s).size() != replicas) {
                return false;
            }
        }
        return true;
    }

    private NodeProcess tool() {
        return new NodeProcess(root.resolve("tool"), 0);
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (NodeProcess n : nodes) {
            try {
                n.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (zkStarted) {
            tool().earthwo("zk", "stop", "--data", root.resolve("zk").toString());
        }
        // Whatever bin/earthwo zk stop left behind: every pid file under the ZooKeeper directory.
        Path zk = root.resolve("zk");
        if (Files.isDirectory(zk)) {
            try (Stream<Path> files = Files.list(zk)) {
                for (Path pidFile : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
                    Optional<ProcessHandle> p = pid(pidFile).flatMap(ProcessHandle::of);
                    p.ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static Optional<Long> pid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}

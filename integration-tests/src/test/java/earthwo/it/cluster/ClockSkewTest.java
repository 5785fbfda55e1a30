package earthwo.it.cluster;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.it.NodeProcess;
import earthwo.it.RawConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "a node whose clock runs 30 s behind loses no single-writer update (HLC)", with
 * separate node processes. Three nodes at R=3 (every node holds every segment, so a write sent to
 * a node is coordinated by that node); the third is started with
 * {@code -Dearthwo.clock.offset.ms=-30000}. One writer updates {@value #KEYS} keys round after
 * round (value = round number, W=all), sending each write straight to one node and rotating the
 * node per key and round, so every third update of a key is coordinated by the slow node right
 * after one stamped by a node 30 s ahead of it. After every round each node's own copy (a GET to
 * that node, answered from its local replica as the key exists there) must hold that round's
 * value, and every update's version must be newer than the key's previous one.
 *
 * <p>The hybrid logical clock of the slow node follows the versions it applies as a replica, so
 * in steady state it already runs in step with the others; the harder case is a clock that has
 * observed nothing. The test therefore also restarts the slow node (its clock starts 30 s behind
 * the versions in its store) and has it coordinate a whole round at once: the first write finds a
 * newer stored version and is stamped again ({@code kv.restamps}), unless the restart took about
 * as long as the skew (then the clock has caught up by itself, and the test says so in its output).
 */
class ClockSkewTest {

    private static final long OFFSET_MS = -30_000;
    private static final String SKEW_OPTION = "-Dearthwo.clock.offset.ms=" + OFFSET_MS;
    private static final String CLUSTER = "skew";
    private static final int KEYS = 200;
    private static final int ROUNDS_BEFORE_RESTART = 10;
    private static final int ROUNDS_AFTER_RESTART = 3;
    /** Index of the node whose clock runs behind (started last). */
    private static final int SLOW = 2;
    private static final int NODES = 3;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WRITE_RETRY_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    @Test
    void aNodeWhoseClockRunsThirtySecondsBehindLosesNoSingleWriterUpdate() throws Exception {
        try (LocalCluster cluster = new LocalCluster(root, CLUSTER); Writer writer = new Writer(cluster)) {
            // Started inside the block, so that close() stops whatever started when a start fails.
            cluster.startZooKeeper().startNodes(NODES - 1).startNodes(1, SKEW_OPTION);
            awaitReady(cluster);
            String log = Files.readString(cluster.node(SLOW).dataDir().resolve("earthwo.log"));
            assertTrue(log.contains("wall clock offset by " + OFFSET_MS + " ms (earthwo.clock.offset.ms"),
                    "the slow node logs its clock offset; log tail:\n" + cluster.node(SLOW).logTail());
            for (int i = 0; i < NODES; i++) {
                if (i != SLOW) {
                    assertFalse(Files.readString(cluster.node(i).dataDir().resolve("earthwo.log")).contains("wall clock offset"),
                            "node " + i + " runs without a clock offset");
                }
            }

            // A fresh key written first through the slow node: nothing observed yet, so its
            // version carries the slow node's own wall clock, 30 s behind this machine's.
            assertStampedBehind(writer, "skew:probe:start");

            int round = 0;
            for (; round < ROUNDS_BEFORE_RESTART; round++) {
                int r = round;
                writer.round(round, k -> (k + r) % NODES);
                verify(cluster, writer, round);
            }
            // Its logical clock follows the versions of the others: about 30 s ahead of its wall clock.
            assertDrift(cluster, writer);
            long sentToSlow = writer.sentTo[SLOW];
            Map<String, String> slow = status(cluster, SLOW);
            assertEquals("0", slow.get("kv.forwarded"), "the slow node coordinated its writes itself: " + slow);
            assertTrue(Long.parseLong(slow.get("kv.puts")) >= sentToSlow,
                    "the slow node coordinated the " + sentToSlow + " writes sent to it: " + slow);

            // Restart the slow node: its clock starts again 30 s behind, below every stored version.
            NodeProcess n = cluster.node(SLOW);
            writer.disconnect(SLOW);
            NodeProcess.ProcessResult stop = n.earthwo("stop", "--data", n.dataDir().toString());
            assertEquals(0, stop.exitCode(), "bin/earthwo stop: " + stop.output());
            n.start("--cluster", CLUSTER, "--zk", cluster.zkAddress(), SKEW_OPTION);
            awaitReady(cluster);
            Version probe = assertStampedBehind(writer, "skew:probe:restart");
            long sinceLastWrite = System.currentTimeMillis() - writer.lastWriteAt;
            // Its clock is below the newest stored version unless the restart took about as long
            // as the skew (seen on a machine loaded far beyond its cores).
            boolean clockBelowStore = probe.wallMillis() + 2000 < writer.newest().wallMillis();
            // One round through the slow node alone, the most recently written key first.
            writer.round(round, k -> SLOW, true);
            verify(cluster, writer, round);
            slow = status(cluster, SLOW);
            if (clockBelowStore) {
                assertTrue(Long.parseLong(slow.get("kv.restamps")) >= 1, "the restarted slow node, whose clock stamped "
                        + probe + " below the newest stored version " + writer.newest() + ", stamped an update again"
                        + " after finding a newer stored version: " + slow);
            } else {
                System.out.printf("ClockSkewTest: the restart took %d ms, about the skew: the slow node's clock (%s) had"
                        + " passed the stored versions, so no update needed stamping again%n", sinceLastWrite, probe);
            }
            round++;
            for (int end = round + ROUNDS_AFTER_RESTART; round < end; round++) {
                int r = round;
                writer.round(round, k -> (k + r) % NODES);
                verify(cluster, writer, round);
            }
            assertDrift(cluster, writer);
            // At the end: every node still holds every key's last update.
            verify(cluster, writer, round - 1);
            System.out.printf("ClockSkewTest: %d updates of %d keys, %d coordinated by the slow node, %d of them right"
                            + " after one stamped by another node; restamps after the restart %s (%d ms after the last"
                            + " write); %d write attempts failed and were tried again %s%n", writer.puts, KEYS,
                    writer.sentTo[SLOW], writer.slowAfterFast, status(cluster, SLOW).get("kv.restamps"), sinceLastWrite,
                    writer.failedAttempts, writer.failureSamples);
        }
    }

    /** A write of a fresh key through the slow node is stamped with a wall clock 30 s behind. */
    private static Version assertStampedBehind(Writer writer, String key) throws Exception {
        long before = System.currentTimeMillis();
        Version v = writer.putFresh(SLOW, key);
        long after = System.currentTimeMillis();
        assertTrue(v.wallMillis() >= before + OFFSET_MS && v.wallMillis() <= after + OFFSET_MS + 1,
                "the slow node stamped " + key + " with " + v + ", expected a wall time in [" + (before + OFFSET_MS) + ", "
                        + (after + OFFSET_MS) + "] (this machine's clock " + OFFSET_MS + " ms)");
        return v;
    }

    /**
     * The slow node's logical clock is ahead of its wall clock by the skew, less the age of the
     * newest version (it has applied every version, W=all); the other nodes' clocks are in step
     * with their wall clocks.
     */
    private static void assertDrift(LocalCluster cluster, Writer writer) throws Exception {
        long newest = writer.newest().wallMillis();
        for (int i = 0; i < NODES; i++) {
            long before = System.currentTimeMillis();
            Map<String, String> s = status(cluster, i);
            long after = System.currentTimeMillis();
            long drift = Long.parseLong(s.get("kv.clock.drift.ms"));
            if (i == SLOW) {
                long min = newest - (after + OFFSET_MS) - 1;
                long max = -OFFSET_MS + 100;
                assertTrue(drift >= min && drift <= max, "the slow node's clock.drift.ms is " + drift + ", expected "
                        + min + ".." + max + ": its clock " + -OFFSET_MS + " ms behind, the newest version "
                        + (before - newest) + " ms old");
            } else {
                assertTrue(drift < 1000, "node " + i + " runs in step, but its clock.drift.ms is " + drift);
            }
        }
    }

    /**
     * Every node's own copy of every key holds the value of {@code round}, and every update of the
     * round was stamped newer than the one it replaced.
     */
    private static void verify(LocalCluster cluster, Writer writer, int round) throws Exception {
        String expected = String.valueOf(round);
        Map<String, String[]> wrong = new TreeMap<>();
        for (int i = 0; i < NODES; i++) {
            for (int k = 0; k < KEYS; k++) {
                String key = key(k);
                Response r = writer.connection(i).call(Request.get(writer.nextId(), Keys.utf8(key)));
                String got = describe(r);
                if (r.isError() || r.isNotFound() || !expected.equals(Keys.string(r.record().value()))) {
                    wrong.computeIfAbsent(key, x -> new String[NODES])[i] = got;
                }
            }
        }
        if (!wrong.isEmpty()) {
            StringBuilder sb = new StringBuilder(wrong.size() + " of " + KEYS + " keys lost the update of round " + round
                    + " on some node (clock of node " + SLOW + " " + OFFSET_MS + " ms):");
            int shown = 0;
            for (Map.Entry<String, String[]> e : wrong.entrySet()) {
                if (shown++ == 10) {
                    sb.append("\n  ...");
                    break;
                }
                sb.append("\n  ").append(e.getKey()).append(": expected round ").append(round).append(" (version ")
                        .append(writer.last.get(e.getKey())).append(")");
                for (int i = 0; i < NODES; i++) {
                    sb.append(", node ").append(i).append(i == SLOW ? " (slow)" : "").append(' ')
                            .append(e.getValue()[i] == null ? "ok" : e.getValue()[i]);
                }
            }
            throw new AssertionError(sb.toString());
        }
        assertTrue(writer.staleStamps.isEmpty(), writer.staleStamps.size() + " updates of round " + round
                + " were stamped older than the update they replace, e.g. " + writer.staleStamps.subList(0,
                Math.min(5, writer.staleStamps.size())));
    }

    private static String describe(Response r) {
        if (r.isError()) {
            return "error " + r.toException().getMessage();
        }
        if (r.isNotFound()) {
            return "absent";
        }
        Record rec = r.record();
        return "round " + Keys.string(rec.value()) + " @" + rec.version();
    }

    private static String key(int k) {
        return "skew:" + k;
    }

    private static void awaitReady(LocalCluster cluster) throws Exception {
        cluster.awaitEveryNodeHoldsEverySegment(NODES, READY_TIMEOUT);
    }

    private static Map<String, String> status(LocalCluster cluster, int index) throws IOException {
        return cluster.status(index);
    }

    /**
     * The single writer: one connection to each node, and the version of every key's last update.
     */
    private static final class Writer implements AutoCloseable {

        private final LocalCluster cluster;
        private final RawConnection[] connections = new RawConnection[NODES];
        final Map<String, Version> last = new HashMap<>();
        final long[] sentTo = new long[NODES];
        /** Updates of the current round stamped with a version not newer than the key's previous one. */
        final List<String> staleStamps = new ArrayList<>();
        long puts;
        /** Updates the slow node coordinated whose previous version was stamped by another node. */
        long slowAfterFast;
        long failedAttempts;
        final List<String> failureSamples = new ArrayList<>();
        /** This machine's clock when the last update was acknowledged. */
        long lastWriteAt;
        private int id;

        Writer(LocalCluster cluster) {
            this.cluster = cluster;
        }

        int nextId() {
            return ++id;
        }

        /** The newest version of any key's last update. */
        Version newest() {
            return last.values().stream().max(Version::compareTo).orElse(Version.ZERO);
        }

        RawConnection connection(int node) throws IOException {
            if (connections[node] == null) {
                connections[node] = new RawConnection(cluster.node(node).address());
            }
            return connections[node];
        }

        void disconnect(int node) throws IOException {
            if (connections[node] != null) {
                connections[node].close();
                connections[node] = null;
            }
        }

        void round(int round, IntUnaryOperator coordinator) throws IOException, InterruptedException {
            round(round, coordinator, false);
        }

        /** Writes every key once with value {@code round}, each through the node chosen for it. */
        void round(int round, IntUnaryOperator coordinator, boolean newestFirst) throws IOException, InterruptedException {
            staleStamps.clear();
            for (int i = 0; i < KEYS; i++) {
                int k = newestFirst ? KEYS - 1 - i : i;
                int node = coordinator.applyAsInt(k);
                String key = key(k);
                // A write that fails (e.g. a replica slower than the replica timeout on a loaded
                // machine) is tried again through the same node, as a client would: the retry is a
                // newer update of the same value. Lost updates are about acknowledged writes.
                long deadline = System.nanoTime() + WRITE_RETRY_TIMEOUT.toNanos();
                Response r;
                while ((r = connection(node).call(Request.put(nextId(), Keys.utf8(key), Keys.utf8(String.valueOf(round)),
                        Record.NEVER, WriteConcern.ALL))).isError()) {
                    String why = "round " + round + ": put " + key + " through node " + node + " failed: "
                            + r.toException().getMessage();
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(why);
                    }
                    if (failedAttempts++ < 5) {
                        failureSamples.add(why);
                    }
                    Thread.sleep(100);
                }
                lastWriteAt = System.currentTimeMillis();
                Version v = r.version();
                Version prev = last.put(key, v);
                if (prev != null && !v.isNewerThan(prev)) {
                    staleStamps.add(key + " through node " + node + (node == SLOW ? " (slow)" : "") + " stamped " + v
                            + ", not newer than the previous update's " + prev);
                }
                puts++;
                sentTo[node]++;
                if (node == SLOW && prev != null && prev.nodeId() != v.nodeId()) {
                    slowAfterFast++;
                }
            }
        }

        /**
         * Writes a fresh key through a node, trying again until it is acknowledged (a node that
         * just started may not reach the others yet; the key is new, so a retry changes nothing).
         */
        Version putFresh(int node, String key) throws Exception {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (true) {
                Response r = connection(node).call(Request.put(nextId(), Keys.utf8(key), Keys.utf8("probe"), Record.NEVER,
                        WriteConcern.ALL));
                if (!r.isError()) {
                    return r.version();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("put " + key + " through node " + node + " failed: " + r.toException().getMessage());
                }
                Thread.sleep(200);
            }
        }

        @Override
        public void close() throws IOException {
            for (int i = 0; i < NODES; i++) {
                disconnect(i);
            }
        }
    }
}

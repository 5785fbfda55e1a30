package earthwo.it.cluster;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.ChannelPattern;
import earthwo.api.channels.Gap;
import earthwo.api.channels.PublishResult;
import earthwo.api.channels.StreamKey;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.client.ChannelSubscription;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.testing.Poll;
import earthwo.client.EarthwoClients;
import earthwo.it.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The channels' proof (issue: "Channels: cluster-wide publish/subscribe"): one cluster of three
 * node processes, whose window is {@value #RETAIN_MS} ms, goes through four phases in a row.
 * <ol>
 *   <li><b>Fan-out and order.</b> Subscribers on every node (by name, by {@code orders.*}, by
 *       {@code **}, by both) while a publisher on every node publishes {@value #MESSAGES} messages
 *       in all, concurrently, over four channels, some of which a pattern leaves out: every
 *       subscriber receives every message of its channels once, each stream (channel and
 *       publisher) in sequence, and nothing else; each publish's answer counts the publishing node
 *       and the nodes with a matching subscriber.</li>
 *   <li><b>A slow consumer.</b> A subscriber with a buffer of 100 that never takes a message: its
 *       node cuts it off with SLOW_CONSUMER (counted by the node; the client's subscription fails
 *       with it once what came before is taken), the others miss nothing, and publishing does not
 *       slow down: p99 of the publish latency with it stays near the p99 without it.</li>
 *   <li><b>kill -9.</b> Publishers on two nodes; the third, holding subscribers, is killed in the
 *       middle: its subscribers resume on another node and receive every message of the surviving
 *       publishers once, in order, without a gap.</li>
 *   <li><b>A gap.</b> A subscriber that can reach only the killed node (a client without routing,
 *       seeded with it) waits for it, while messages published meanwhile leave every window. When
 *       the node is back, the subscription resumes there and gets one {@link Gap} naming exactly
 *       the messages published while it was away, then the live messages.</li>
 * </ol>
 */
class ChannelsProofTest {

    private static final String NAME = "channels";
    /**
     * The nodes' window: short, so that a node away for longer costs a subscriber a gap, and long
     * against a failover to a live node (a reconnect and a replay, well under a second).
     */
    private static final long RETAIN_MS = 3_000;
    /** Channels do not use the segments: few of them bring the cluster (and the killed node) up sooner. */
    private static final int SEGMENTS = 16;
    private static final String[] OPTIONS = {"-Dearthwo.channels.retain.ms=" + RETAIN_MS, "-Dearthwo.segments=" + SEGMENTS};
    private static final int MESSAGES = 100_000;
    private static final int MESSAGE_BYTES = 64;
    private static final int IN_FLIGHT = 256;
    /**
     * The buffer (node and client) of the subscribers that prove delivery: a whole phase fits, so
     * a test JVM starved of CPU on a small machine is not cut off. Phase 2 proves the bound.
     */
    private static final int BUFFER = 200_000;
    private static final int SLOW_BUFFER = 100;
    private static final int BULK_MESSAGES = 3_000;
    private static final int BULK_BYTES = 8 * 1024;
    private static final int LATENCY_IN_FLIGHT = 16;
    private static final int FAILOVER_MESSAGES = 20_000;
    private static final int KILL_AFTER = 6_000;
    private static final int GAP_BEFORE = 5;
    private static final int GAP_LOST = 50;
    private static final int GAP_AFTER = 20;
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final List<String> CHANNELS = List.of("orders.eu", "orders.us", "orders.eu.archive", "stock.eu");
    private static final String BULK_CHANNEL = "bulk.data";
    private static final String GAP_CHANNEL = "gap.test";
    private static final String PROBE_CHANNEL = "probe.node0";

    /** Numbers every published message: its payload starts with it. */
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @TempDir
    Path root;

    @Test
    void everySubscriberGetsEveryMessageOnceInOrderThroughASlowConsumerAKillAndAGap() throws Exception {
        long t0 = System.nanoTime();
        try (LocalCluster cluster = new LocalCluster(root, NAME).startZooKeeper().startNodes(3, OPTIONS);
             Resources resources = new Resources()) {
            try {
                prove(cluster, resources, t0);
            } catch (AssertionError | Exception e) {
                for (int i = 0; i < 3; i++) {
                    System.out.println("node " + i + " log:\n" + cluster.node(i).logTail());
                }
                throw e;
            }
        }
        System.out.println("channels proof: whole test " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    private void prove(LocalCluster cluster, Resources resources, long t0) throws Exception {
        cluster.awaitEveryNodeHoldsEverySegment(3, Duration.ofSeconds(90));
        long startedMs = ms(t0);
        String[] seeds = cluster.seeds();
        Ledger ledger = new Ledger();

        // Clients seeded with one node each: a subscription lives on its client's node.
        KvClient[] subscribing = new KvClient[3];
        Publisher[] publishers = new Publisher[3];
        for (int i = 0; i < 3; i++) {
            subscribing[i] = resources.add(EarthwoClients.connect(KvClientFactory.Config.seeds(seeds[i])
                    .withRequestTimeout(Duration.ofSeconds(10))));
            publishers[i] = resources.add(new Publisher(i, EarthwoClients.connectToOneNode(
                    KvClientFactory.Config.seeds(seeds[i]).withRequestTimeout(Duration.ofSeconds(10))), ledger));
        }
        List<Recorder> recorders = List.of(
                new Recorder("n0-orders.eu", 0, SubscribeRequest.ofChannels("orders.eu")),
                new Recorder("n0-orders.*", 0, SubscribeRequest.ofPatterns("orders.*")),
                new Recorder("n1-**", 1, SubscribeRequest.ofPatterns("**")),
                new Recorder("n1-stock.eu", 1, SubscribeRequest.ofChannels("stock.eu")),
                new Recorder("n2-orders.*", 2, SubscribeRequest.ofPatterns("orders.*")),
                new Recorder("n2-stock.eu+*.us", 2, SubscribeRequest.ofChannels("stock.eu").withPatterns(List.of("*.us"))));
        Map<Recorder, ChannelSubscription> subscriptions = new HashMap<>();
        for (Recorder r : recorders) {
            subscriptions.put(r, resources.add(subscribing[r.node].subscribe(r.request.withBufferSize(BUFFER), r)));
        }
        // Phase 4's subscriber: a client without routing knows no node but its seed.
        KvClient onlyNode0 = resources.add(EarthwoClients.connectToOneNode(KvClientFactory.Config.seeds(seeds[0])
                .withRequestTimeout(Duration.ofSeconds(10)).withFailoverTimeout(Duration.ofSeconds(120))));
        Recorder gapRecorder = new Recorder("n0-only-gap.test", 0, SubscribeRequest.ofChannels(GAP_CHANNEL));
        ChannelSubscription gapSubscription = resources.add(onlyNode0.subscribe(gapRecorder.request, gapRecorder));
        List<Recorder> everyone = new ArrayList<>(recorders);
        everyone.add(gapRecorder);
        for (Recorder r : everyone) {
            ChannelSubscription s = r == gapRecorder ? gapSubscription : subscriptions.get(r);
            s.ready().get(30, TimeUnit.SECONDS);
            assertEquals(seeds[r.node], s.node(), r.name + " lives on its client's node");
        }

        // ---- 1. Fan-out and order
        long phase1 = System.nanoTime();
        Queue<String> wrongCounts = new ConcurrentLinkedQueue<>();
        AtomicLong checked = new AtomicLong();
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Publisher p = publishers[i];
            int count = MESSAGES / 3 + (i < MESSAGES % 3 ? 1 : 0);
            load.add(p.startPublishing(count, CHANNELS, (channel, r) -> {
                checked.incrementAndGet();
                int expected = nodesWanting(everyone, p.node, channel);
                if ((r.nodes() != expected || r.failedNodes() != 0) && wrongCounts.size() < 10) {
                    wrongCounts.add("node " + p.node + " on " + channel + ": " + r + ", expected " + expected + " nodes");
                }
            }));
        }
        joinAll(load, publishers);
        long publishedMs = ms(phase1);
        awaitEverything("phase 1", recorders, ledger);
        long deliveredMs = ms(phase1);
        assertEquals(MESSAGES, checked.get(), "every publish answered");
        assertEquals(List.of(), List.copyOf(wrongCounts), "PublishResult.nodes: the publishing node and those with subscribers");
        assertEquals(0, gapRecorder.count(), "gap.test's subscriber got nothing of other channels");
        System.out.println("channels proof: cluster up in " + startedMs + " ms; phase 1: " + MESSAGES
                + " messages from 3 nodes published in " + publishedMs + " ms (" + MESSAGES * 1000L / Math.max(1, publishedMs)
                + "/s), all " + recorders.size() + " subscribers complete after " + deliveredMs + " ms");

        // The gap subscriber's first messages, from node 2 (to node 1's ** and node 0's gap.test).
        for (int i = 0; i < GAP_BEFORE; i++) {
            PublishResult r = publishers[2].publishNow(GAP_CHANNEL, MESSAGE_BYTES);
            assertEquals(3, r.nodes(), r.toString());
        }
        Poll.until("gap.test's subscriber has the first messages", WAIT, () -> gapRecorder.count() == GAP_BEFORE);

        // ---- 2. A slow consumer
        long phase2 = System.nanoTime();
        Map<String, String> before = cluster.status(1);
        publishers[0].timedBurst(BULK_CHANNEL, BULK_MESSAGES / 3, BULK_BYTES); // warms the path up, not measured
        long[] baseline = publishers[0].timedBurst(BULK_CHANNEL, BULK_MESSAGES, BULK_BYTES);
        ChannelSubscription slow = resources.add(subscribing[1].subscribe(SubscribeRequest.ofPatterns("bulk.*")
                .withBufferSize(SLOW_BUFFER)));
        slow.ready().get(30, TimeUnit.SECONDS);
        List<long[]> withSlow = new ArrayList<>();
        // Publish on while the slow subscriber's buffers (its client's, the sockets', the node's) fill.
        while (withSlow.size() < 6 && cutOff(cluster, 1) == 0) {
            withSlow.add(publishers[0].timedBurst(BULK_CHANNEL, BULK_MESSAGES, BULK_BYTES));
        }
        Poll.until("node 1 cuts the slow subscriber off", WAIT, () -> cutOff(cluster, 1) == 1,
                () -> "node 1 status " + statusOf(cluster, 1, "channels."));
        long[] slowLatencies = concat(withSlow);
        NodeProcess.ProcessResult list = cluster.exec(1, "channel:list");
        assertEquals(0, list.exitCode(), list.output());
        String bulkLine = Arrays.stream(list.output().split("\n")).filter(l -> l.startsWith(BULK_CHANNEL + " "))
                .findFirst().orElse("");
        assertTrue(bulkLine.contains(" cut.off=1 "), "channel:list on node 1 counts the cut-off subscriber: " + list.output());
        assertEquals(Long.parseLong(before.get("channels.subscriptions")), Long.parseLong(cluster.status(1)
                .get("channels.subscriptions")), "node 1 no longer holds the slow subscription");
        // The client learns of the cut only once it took what came before it: until then its
        // reader waits for room in the full queue, in front of the node's last frame.
        assertTrue(slow.isOpen() && slow.failure().isEmpty(), "the client does not know of the cut yet");
        List<Long> slowSequences = new ArrayList<>();
        EarthwoException cut = assertThrows(EarthwoException.class, () -> {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                ChannelMessage m = slow.next(Duration.ofSeconds(5));
                if (m != null) {
                    slowSequences.add(m.sequence());
                }
            }
        });
        assertEquals(ErrorCode.SLOW_CONSUMER, cut.code(), cut.toString());
        assertTrue(cut.getMessage().startsWith("SLOW_CONSUMER: subscription "), "the node's reason, once: " + cut.getMessage());
        assertEquals(ErrorCode.SLOW_CONSUMER, slow.failure().map(EarthwoException::code).orElse(null));
        assertFalse(slow.isOpen());
        assertEquals(0, slow.failovers(), "a subscription cut off for good does not subscribe again");
        assertEquals(Long.parseLong(before.get("channels.subscriptions")), Long.parseLong(cluster.status(1)
                .get("channels.subscriptions")), "no subscription came back on node 1 after the client saw the cut");
        assertFalse(slowSequences.isEmpty(), "the slow subscriber received the first messages");
        for (int i = 1; i < slowSequences.size(); i++) {
            assertEquals(slowSequences.get(i - 1) + 1, (long) slowSequences.get(i), "the slow subscriber's messages in sequence");
        }
        awaitEverything("phase 2", recorders, ledger);
        long baseP99 = percentile(baseline, 99);
        long slowP99 = percentile(slowLatencies, 99);
        System.out.println("channels proof: phase 2 (" + ms(phase2) + " ms): publish latency (" + BULK_BYTES + " bytes, "
                + LATENCY_IN_FLIGHT + " in flight) p50 " + micros(percentile(baseline, 50)) + " µs, p99 " + micros(baseP99)
                + " µs without the slow subscriber; p50 " + micros(percentile(slowLatencies, 50)) + " µs, p99 "
                + micros(slowP99) + " µs with it (" + withSlow.size() + " bursts of " + BULK_MESSAGES
                + " until node 1 cut it off; it received " + slowSequences.size() + " messages)");
        assertTrue(slowP99 <= 3 * baseP99 + TimeUnit.MILLISECONDS.toNanos(20), "publish p99 with a slow subscriber "
                + micros(slowP99) + " µs against " + micros(baseP99) + " µs without");

        // ---- 3. kill -9 of node 0 while nodes 1 and 2 publish
        long phase3 = System.nanoTime();
        publishers[0].close();
        long issuedBefore = publishers[1].issued() + publishers[2].issued();
        load.clear();
        for (int i = 1; i < 3; i++) {
            load.add(publishers[i].startPublishing(FAILOVER_MESSAGES / 2, CHANNELS, (channel, r) -> { }));
        }
        long issuedAtKill;
        try {
            Poll.until(KILL_AFTER + " messages published", WAIT, () -> publishers[1].issued() + publishers[2].issued()
                    - issuedBefore >= KILL_AFTER || load.stream().noneMatch(Thread::isAlive));
            issuedAtKill = publishers[1].issued() + publishers[2].issued() - issuedBefore;
            cluster.node(0).kill9();
        } finally {
            joinAll(load, publishers);
        }
        assertTrue(issuedAtKill < FAILOVER_MESSAGES, "node 0 was killed while publishing went on (" + issuedAtKill + ")");
        awaitEverything("phase 3", recorders, ledger);
        List<String> movedTo = new ArrayList<>();
        for (Recorder r : recorders) {
            ChannelSubscription s = subscriptions.get(r);
            if (r.node == 0) {
                assertTrue(s.failovers() >= 1, r.name + " failed over");
                assertNotEquals(seeds[0], s.node(), r.name + " lives elsewhere now");
                movedTo.add(r.name + " to node " + Arrays.asList(seeds).indexOf(s.node()));
            }
            assertEquals(List.of(), s.gaps(), r.name);
        }
        System.out.println("channels proof: phase 3: " + FAILOVER_MESSAGES + " messages from nodes 1 and 2, node 0 killed"
                + " after " + issuedAtKill + ", every subscriber complete " + ms(phase3) + " ms after the phase began; "
                + movedTo);

        // ---- 4. A gap: node 0 stays away while messages leave every window
        long phase4 = System.nanoTime();
        for (int i = 0; i < GAP_LOST; i++) {
            publishers[2].publishNow(GAP_CHANNEL, MESSAGE_BYTES);
        }
        for (int node = 1; node < 3; node++) {
            int n = node;
            Poll.until("node " + node + "'s window empty", WAIT, () -> "0".equals(statusOf(cluster, n, "channels.retained")),
                    () -> "node " + n + " status " + statusOf(cluster, n, "channels."));
        }
        assertNull(gapSubscription.node(), "the gap subscriber had no node while node 0 was away");
        List<String> start = new ArrayList<>(List.of("--cluster", NAME, "--zk", cluster.zkAddress()));
        start.addAll(List.of(OPTIONS));
        long restart = System.nanoTime();
        cluster.node(0).start(start.toArray(String[]::new));
        Poll.until("the gap subscriber back on node 0", WAIT, () -> seeds[0].equals(gapSubscription.node()));
        long backMs = ms(restart);
        // Node 2 knows node 0's subscriptions once it sends node 0 a probe subscribed there after them.
        ChannelSubscription probe = resources.add(onlyNode0.subscribe(SubscribeRequest.ofChannels(PROBE_CHANNEL)));
        probe.ready().get(30, TimeUnit.SECONDS);
        Poll.until("node 2 sends node 0 its messages", WAIT,
                () -> publishers[2].publishNow(PROBE_CHANNEL, MESSAGE_BYTES).nodes() == 3);
        for (int i = 0; i < GAP_AFTER; i++) {
            PublishResult r = publishers[2].publishNow(GAP_CHANNEL, MESSAGE_BYTES);
            assertEquals(3, r.nodes(), "node 2, node 1 (**) and node 0 (gap.test) took " + r);
        }
        Poll.until("gap.test's subscriber has the live messages", WAIT,
                () -> gapRecorder.count() == GAP_BEFORE + GAP_AFTER, () -> gapRecorder.log().toString());
        StreamKey gapStream = ledger.streams().stream().filter(s -> s.channel().equals(GAP_CHANNEL)).findFirst()
                .orElseThrow();
        Gap expectedGap = new Gap(GAP_CHANNEL, gapStream.publisherId(), GAP_BEFORE + 1, GAP_BEFORE + GAP_LOST);
        List<Object> expectedLog = new ArrayList<>();
        for (long seq = 1; seq <= GAP_BEFORE; seq++) {
            expectedLog.add(seq);
        }
        expectedLog.add(expectedGap);
        for (long seq = GAP_BEFORE + GAP_LOST + 1; seq <= GAP_BEFORE + GAP_LOST + GAP_AFTER; seq++) {
            expectedLog.add(seq);
        }
        assertEquals(expectedLog, gapRecorder.log(), "the first messages, one gap of what node 0's absence cost, the live ones");
        assertEquals(List.of(expectedGap), gapSubscription.gaps());
        assertEquals(List.of(), gapRecorder.problems());
        awaitEverything("phase 4", recorders, ledger);
        System.out.println("channels proof: phase 4 (" + ms(phase4) + " ms): node 0 back and the subscription on it "
                + backMs + " ms after its restart began; " + expectedGap);
    }

    // ---------------------------------------------------------------- helpers

    private static long ms(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    private static long micros(long nanos) {
        return nanos / 1_000;
    }

    private static long[] concat(List<long[]> parts) {
        return parts.stream().flatMapToLong(Arrays::stream).toArray();
    }

    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** How many nodes a publish from {@code node} on {@code channel} reaches: that node and those with a subscriber. */
    private static int nodesWanting(List<Recorder> recorders, int node, String channel) {
        Set<Integer> nodes = new HashSet<>();
        nodes.add(node);
        for (Recorder r : recorders) {
            if (r.wants(channel)) {
                nodes.add(r.node);
            }
        }
        return nodes.size();
    }

    /** Subscribers a node cut off as slow consumers ({@code channels.cut.off}), 0 when it does not answer. */
    private static long cutOff(LocalCluster cluster, int node) {
        String v = statusOf(cluster, node, "channels.cut.off");
        try {
            return v == null ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** One fact of a node's status (or, for a prefix, all facts that start with it); null when it does not answer. */
    private static String statusOf(LocalCluster cluster, int node, String key) {
        try {
            Map<String, String> status = cluster.status(node);
            if (key.endsWith(".")) {
                return status.entrySet().stream().filter(e -> e.getKey().startsWith(key))
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
            }
            return status.get(key);
        } catch (Exception e) {
            return null;
        }
    }

    private static void joinAll(List<Thread> threads, Publisher[] publishers) throws InterruptedException {
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(2));
            assertFalse(t.isAlive(), t.getName() + " still publishing");
        }
        for (Publisher p : publishers) {
            p.assertNoFailure();
        }
    }

    /** Waits until every subscriber has as many messages as the ledger holds for its channels, then compares them. */
    private static void awaitEverything(String when, List<Recorder> recorders, Ledger ledger) throws InterruptedException {
        Poll.until(when + ": every subscriber has every message of its channels", WAIT,
                () -> recorders.stream().allMatch(r -> r.count() >= ledger.expectedFor(r)),
                () -> recorders.stream().map(r -> r.name + " " + r.count() + "/" + ledger.expectedFor(r))
                        .collect(Collectors.joining(", ")));
        List<String> wrong = new ArrayList<>();
        for (Recorder r : recorders) {
            wrong.addAll(r.compareWith(ledger));
        }
        assertEquals(List.of(), wrong, when);
    }

    private static byte[] payload(int counter, int size) {
        byte[] b = new byte[Math.max(Integer.BYTES, size)];
        ByteBuffer.wrap(b).putInt(counter);
        return b;
    }

    private static int counterOf(byte[] payload) {
        return ByteBuffer.wrap(payload).getInt();
    }

    /** Closes what it was given, last first. */
    private static final class Resources implements AutoCloseable {
        private final Deque<AutoCloseable> open = new ArrayDeque<>();

        <T extends AutoCloseable> T add(T resource) {
            open.push(resource);
            return resource;
        }

        @Override
        public void close() throws Exception {
            Exception first = null;
            while (!open.isEmpty()) {
                try {
                    open.pop().close();
                } catch (Exception e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    /** Every answered publish: per stream, the message (its counter) under each sequence. */
    private static final class Ledger {
        private final Map<StreamKey, Map<Long, Integer>> streams = new ConcurrentHashMap<>();
        private final Queue<String> problems = new ConcurrentLinkedQueue<>();

        void add(String channel, PublishResult r, int counter) {
            Integer before = streams.computeIfAbsent(new StreamKey(channel, r.publisherId()), s -> new ConcurrentHashMap<>())
                    .put(r.sequence(), counter);
            if (before != null) {
                problems.add("two publishes answered with " + channel + "/" + r.publisherId() + "#" + r.sequence());
            }
        }

        Set<StreamKey> streams() {
            return streams.keySet();
        }

        long expectedFor(Recorder r) {
            long n = 0;
            for (Map.Entry<StreamKey, Map<Long, Integer>> e : streams.entrySet()) {
                if (r.wants(e.getKey().channel())) {
                    n += e.getValue().size();
                }
            }
            return n;
        }

        /** The stream's messages in sequence order, from 1 on without a hole. */
        List<Integer> inOrder(StreamKey stream) {
            assertEquals(List.of(), List.copyOf(problems));
            Map<Long, Integer> bySequence = streams.get(stream);
            List<Integer> out = new ArrayList<>(bySequence.size());
            for (long seq = 1; seq <= bySequence.size(); seq++) {
                Integer counter = bySequence.get(seq);
                if (counter == null) {
                    throw new AssertionError("no publish was answered with sequence " + seq + " of " + stream);
                }
                out.add(counter);
            }
            return out;
        }
    }

    /** A subscriber's listener: what it received per stream, in order, and any gap. */
    private static final class Recorder implements ChannelListener {
        final String name;
        final int node;
        final SubscribeRequest request;
        private final List<ChannelPattern> filter = new ArrayList<>();
        private final Map<StreamKey, List<Integer>> received = new HashMap<>();
        private final List<Object> log = new ArrayList<>();
        private final List<Gap> gaps = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private final AtomicLong count = new AtomicLong();

        Recorder(String name, int node, SubscribeRequest request) {
            this.name = name;
            this.node = node;
            this.request = request;
            request.channels().forEach(c -> filter.add(ChannelPattern.compile(c)));
            request.patterns().forEach(p -> filter.add(ChannelPattern.compile(p)));
        }

        boolean wants(String channel) {
            return filter.stream().anyMatch(p -> p.matches(channel));
        }

        long count() {
            return count.get();
        }

        @Override
        public synchronized void onMessage(ChannelMessage m) {
            if (!wants(m.channel())) {
                problems.add("a message of " + m.channel());
            }
            received.computeIfAbsent(m.stream(), s -> new ArrayList<>()).add(counterOf(m.payload()));
            if (log.size() < 1_000) {
                log.add(m.sequence());
            }
            count.incrementAndGet();
        }

        @Override
        public synchronized void onGap(Gap gap) {
            gaps.add(gap);
            log.add(gap);
        }

        @Override
        public synchronized void onClosed(EarthwoException reason) {
            if (reason != null) {
                problems.add("closed: " + reason);
            }
        }

        synchronized List<Object> log() {
            return List.copyOf(log);
        }

        synchronized List<String> problems() {
            return List.copyOf(problems);
        }

        /** What differs from the ledger: a stream of its channels not exactly as published, a gap, a problem. */
        synchronized List<String> compareWith(Ledger ledger) {
            List<String> wrong = new ArrayList<>();
            problems.stream().limit(5).forEach(p -> wrong.add(name + ": " + p));
            if (!gaps.isEmpty()) {
                wrong.add(name + ": gaps " + gaps);
            }
            for (StreamKey stream : ledger.streams()) {
                if (!wants(stream.channel())) {
                    continue;
                }
                List<Integer> expected = ledger.inOrder(stream);
                List<Integer> got = received.getOrDefault(stream, List.of());
                if (!expected.equals(got)) {
                    int i = 0;
                    while (i < Math.min(expected.size(), got.size()) && expected.get(i).equals(got.get(i))) {
                        i++;
                    }
                    wrong.add(name + ": " + stream + " has " + got.size() + " of " + expected.size()
                            + " messages, first difference at sequence " + (i + 1));
                }
            }
            for (StreamKey stream : received.keySet()) {
                if (!ledger.streams().contains(stream)) {
                    wrong.add(name + ": a stream nobody published " + stream);
                }
            }
            return wrong;
        }
    }

    /** Publishes from one node through a client of that node alone; every answer goes to the ledger. */
    private static final class Publisher implements AutoCloseable {
        final int node;
        private final KvClient client;
        private final Ledger ledger;
        private final AtomicLong issued = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Publisher(int node, KvClient client, Ledger ledger) {
            this.node = node;
            this.client = client;
            this.ledger = ledger;
        }

        long issued() {
            return issued.get();
        }

        /** A thread that publishes {@code count} messages round the channels, {@value #IN_FLIGHT} in flight at most. */
        Thread startPublishing(int count, List<String> channels, java.util.function.BiConsumer<String, PublishResult> check) {
            Thread t = new Thread(() -> {
                Semaphore window = new Semaphore(IN_FLIGHT);
                try {
                    for (int i = 0; i < count && failure.get() == null; i++) {
                        String channel = channels.get(i % channels.size());
                        window.acquire();
                        issued.incrementAndGet();
                        publish(channel, MESSAGE_BYTES).whenComplete((r, e) -> {
                            if (r != null) {
                                check.accept(channel, r);
                            }
                            window.release();
                        });
                    }
                    window.acquire(IN_FLIGHT);
                } catch (InterruptedException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "channels-proof-publisher-" + node);
            t.setDaemon(true);
            t.start();
            return t;
        }

        private CompletableFuture<PublishResult> publish(String channel, int size) {
            int counter = COUNTER.incrementAndGet();
            return client.publishAsync(channel, payload(counter, size)).whenComplete((r, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    ledger.add(channel, r, counter);
                }
            });
        }

        PublishResult publishNow(String channel, int size) {
            return publish(channel, size).join();
        }

        /**
         * Publishes {@code count} messages of {@code size} bytes, {@value #LATENCY_IN_FLIGHT} in
         * flight; the latency of each publish, sending to answer, in ns.
         */
        long[] timedBurst(String channel, int count, int size) throws InterruptedException {
            long[] nanos = new long[count];
            Semaphore window = new Semaphore(LATENCY_IN_FLIGHT);
            for (int i = 0; i < count; i++) {
                window.acquire();
                int at = i;
                long start = System.nanoTime();
                publish(channel, size).whenComplete((r, e) -> {
                    nanos[at] = System.nanoTime() - start;
                    window.release();
                });
            }
            window.acquire(LATENCY_IN_FLIGHT);
            assertNoFailure();
            return nanos;
        }

        void assertNoFailure() {
            if (failure.get() != null) {
                throw new AssertionError("node " + node + "'s publisher failed", failure.get());
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }
}

package earthwo.channels.internal;

import earthwo.api.channels.PublishResult;
import earthwo.api.cluster.TestClusterView;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Several channels components ("nodes" 1..n) wired together through {@link FakeLinks}, each with
 * a {@link TestClusterView} listing all of them. {@link #close} deactivates every one.
 */
final class TestNodes implements AutoCloseable {

    final FakeLinks links = new FakeLinks();
    final List<ChannelsComponent> nodes = new ArrayList<>();
    final List<TestClusterView> views = new ArrayList<>();
    /** How far the nodes' shared clock is ahead of the system's (ms). */
    private final java.util.concurrent.atomic.AtomicLong clockAhead = new java.util.concurrent.atomic.AtomicLong();

    TestNodes(int count, ChannelsSettings settings) {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        for (int id = 1; id <= count; id++) {
            ports.put(id, 7380 + id);
        }
        for (int id = 1; id <= count; id++) {
            TestClusterView view = new TestClusterView(id, TestClusterView.mapOf(1, ports));
            ChannelsComponent c = new ChannelsComponent(view, settings, () -> System.currentTimeMillis() + clockAhead.get());
            c.setLinks(links.from(id));
            links.nodes.put(id, c);
            views.add(view);
            nodes.add(c);
        }
        // Every node tells the others at once, as its first refresh would.
        for (ChannelsComponent c : nodes) {
            join(c.hub().announce());
        }
    }

    /** Settings for tests: interest refreshed every 200 ms. */
    static ChannelsSettings settings() {
        return ChannelsSettings.resolve(Map.of(ChannelsSettings.INTEREST_REFRESH, "200"), k -> null);
    }

    /** Moves every node's clock forward, e.g. past a retention window. */
    void advanceClock(long ms) {
        clockAhead.addAndGet(ms);
    }

    /**
     * Publishes a marker from {@code node} on {@code channel} and waits until every recorder has it:
     * a publisher's messages arrive in order, so all it sent before have arrived, and nothing more
     * of it is on the way. Then takes the marker out of the recorders again.
     */
    void settle(int node, String channel, Recorder... recorders) throws InterruptedException {
        PublishResult marker = join(node(node).publish(channel, MARKER));
        for (Recorder r : recorders) {
            earthwo.api.testing.Poll.until("the marker of node " + node + " on " + channel, java.time.Duration.ofSeconds(10),
                    () -> r.has(marker));
            r.forget(marker);
        }
    }

    static final byte[] MARKER = "settle-marker".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /** Node {@code id} (1-based). */
    ChannelsComponent node(int id) {
        return nodes.get(id - 1);
    }

    static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        for (ChannelsComponent c : nodes) {
            c.deactivate();
        }
    }
}

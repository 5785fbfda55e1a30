package earthwo.channels.internal;

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

    TestNodes(int count, ChannelsSettings settings) {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        for (int id = 1; id <= count; id++) {
            ports.put(id, 7380 + id);
        }
        for (int id = 1; id <= count; id++) {
            TestClusterView view = new TestClusterView(id, TestClusterView.mapOf(1, ports));
            ChannelsComponent c = new ChannelsComponent(view, settings, System::currentTimeMillis);
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

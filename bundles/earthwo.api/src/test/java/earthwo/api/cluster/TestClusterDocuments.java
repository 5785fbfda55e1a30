package earthwo.api.cluster;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Cluster documents in memory, shared by the components of a test as ZooKeeper is by the nodes of
 * a cluster; listeners are called on the updating thread. While {@link #away} is set, updates fail
 * as they do while ZooKeeper cannot be reached. Shared with the other bundles' tests through this
 * module's test jar.
 */
public class TestClusterDocuments implements ClusterDocuments {

    private final Map<String, String> contents = new HashMap<>();
    private final List<Map.Entry<String, Consumer<Optional<String>>>> listeners = new ArrayList<>();
    public volatile boolean away;
    public int updates;

    @Override
    public synchronized Optional<String> read(String name) {
        return Optional.ofNullable(contents.get(name));
    }

    @Override
    public String update(String name, UnaryOperator<String> change) {
        List<Consumer<Optional<String>>> toCall = new ArrayList<>();
        String written;
        synchronized (this) {
            if (away) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "ZooKeeper is away (test)");
            }
            updates++;
            written = change.apply(contents.get(name));
            if (written == null) {
                contents.remove(name);
            } else {
                contents.put(name, written);
            }
            for (Map.Entry<String, Consumer<Optional<String>>> l : listeners) {
                if (l.getKey().equals(name)) {
                    toCall.add(l.getValue());
                }
            }
        }
        toCall.forEach(l -> l.accept(Optional.ofNullable(written)));
        return written;
    }

    @Override
    public AutoCloseable watch(String name, Consumer<Optional<String>> listener) {
        Map.Entry<String, Consumer<Optional<String>>> entry = Map.entry(name, listener);
        Optional<String> now;
        synchronized (this) {
            listeners.add(entry);
            now = Optional.ofNullable(contents.get(name));
        }
        listener.accept(now);
        return () -> {
            synchronized (this) {
                listeners.remove(entry);
            }
        };
    }

    public synchronized int listenerCount() {
        return listeners.size();
    }
}

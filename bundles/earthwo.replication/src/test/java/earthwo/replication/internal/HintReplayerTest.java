package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.HintStore;
import earthwo.api.storage.SegmentStore;
import earthwo.storage.internal.RealStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replay thread of hinted handoff against a real JE hint store. */
class HintReplayerTest {

    private static SegmentMap map(long epoch) {
        return new SegmentMap(epoch, 2, List.of(List.of(1, 2)), Map.of(1, new NodeInfo(1, "127.0.0.1", 7381),
                2, new NodeInfo(2, "127.0.0.1", 7382)));
    }

    /** A control plane whose map changes when the test says so. */
    private static ClusterView view(AtomicReference<SegmentMap> map, List<Consumer<SegmentMap>> listeners) {
        return (ClusterView) Proxy.newProxyInstance(ClusterView.class.getClassLoader(), new Class<?>[] {ClusterView.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "localNodeId" -> 1;
                    case "currentMap" -> map.get();
                    case "onMapChange" -> {
                        @SuppressWarnings("unchecked")
                        Consumer<SegmentMap> l = (Consumer<SegmentMap>) args[0];
                        listeners.add(l);
                        l.accept(map.get());
                        yield (AutoCloseable) () -> listeners.remove(l);
                    }
                    case "toString" -> "test view";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /**
     * A node that failed while down has a long back-off; when it comes back (which changes the
     * map), its hints are replayed at once, a whole batch in flight, not after the back-off.
     */
    @Test
    void aMapChangeEndsTheBackOffAndReplaysAtOnceInBatches(@TempDir Path dir) throws Exception {
        SegmentStore store = RealStores.open(dir, 1);
        HintStore hints = RealStores.hints(store);
        AtomicReference<SegmentMap> map = new AtomicReference<>(map(1));
        List<Consumer<SegmentMap>> listeners = new CopyOnWriteArrayList<>();
        AtomicBoolean nodeUp = new AtomicBoolean(false);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        List<CompletableFuture<Void>> pending = new CopyOnWriteArrayList<>();
        ReplicaTransport transport = (node, segment, record) -> {
            if (!nodeUp.get()) {
                return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE, "node 2 down"));
            }
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(f);
            return f.whenComplete((x, e) -> inFlight.decrementAndGet());
        };
        // interval 60 s: only the map change can make the replay run within the test
        HintReplayer replayer = new HintReplayer(hints, view(map, listeners), transport, System::currentTimeMillis,
                50, 60_000, 600_000, 5_000);
        try {
            for (int i = 0; i < 120; i++) {
                byte[] k = Keys.utf8("k" + i);
                hints.add(2, 0, Record.value(k, Keys.utf8("v"), Version.of(1000 + i, 0, 1), 0));
            }
            assertEquals(0, replayer.runOnce(), "node 2 is down");
            assertEquals(1, replayer.failures.sum());
            nodeUp.set(true);
            assertEquals(0, replayer.runOnce(), "backing off");

            replayer.start();
            // the replica answers whatever is open once no new send arrived for 50 ms: a replay
            // that sends a batch at once has many sends open (maxInFlight), one that waits for
            // each answer before the next send has one. Answering on a count instead could leave
            // the tail of a batch unanswered forever.
            Thread answerer = new Thread(() -> {
                int seen = 0;
                long quietSince = System.nanoTime();
                while (!Thread.currentThread().isInterrupted()) {
                    int sent = pending.size();
                    if (sent != seen) {
                        seen = sent;
                        quietSince = System.nanoTime();
                    } else if (System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(50)) {
                        pending.stream().filter(f -> !f.isDone()).forEach(f -> f.complete(null));
                        quietSince = System.nanoTime();
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // poll, not spin: 2 cores
                }
            });
            answerer.setDaemon(true);
            answerer.start();
            try {
                map.set(map(2)); // node 2 re-registered
                listeners.forEach(l -> l.accept(map.get()));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (hints.pending().getOrDefault(2, 0L) > 0) {
                    assertTrue(System.nanoTime() < deadline, "hints not replayed after the map change: "
                            + hints.pending());
                    Thread.sleep(10);
                }
            } finally {
                answerer.interrupt();
            }
            assertEquals(120, replayer.replayed.sum());
            assertTrue(maxInFlight.get() >= 20, "a batch is in flight at once, saw " + maxInFlight.get());
        } finally {
            replayer.close();
            RealStores.close(store);
        }
    }
}

package earthwo.it.felix;

import earthwo.api.EarthwoException;
import earthwo.api.Keys;
import earthwo.api.Kv;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexState;
import earthwo.api.indexes.IndexType;
import earthwo.api.indexes.Indexes;
import earthwo.api.Record;
import earthwo.api.WriteOptions;
import earthwo.api.admin.StatusSource;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.channels.StreamKey;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.client.ChannelSubscription;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.util.tracker.ServiceTracker;

import javax.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

/**
 * The real node bundles in a real Felix, with the outbox on and the example hook plug-in
 * installed. A client talks to the node over its socket, writing keys that live and keys that
 * expire at once (work for the reaper and for the hook), while the storage bundle (JE), the
 * server bundle (Netty), the ttl bundle (the reaper), the hooks bundle (the dispatcher), the
 * indexes bundle, an index extractor plug-in and the channels bundle are updated in place, with two
 * indexes defined and a publisher and a subscriber on a channel: no operation fails after the
 * client's retry, every write is readable afterwards, the reaper and the hook's delivery run again
 * after each update, each index answers exactly the keys written (its entries caught up, not
 * rebuilt), every acknowledged publish reaches the subscriber (which resumes by itself), and the updated
 * bundles' JE, Netty, reaper and hook threads are gone (the old revisions stopped everything
 * they started).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapInFelixTest {

    private static final Duration RETRY_FOR = Duration.ofSeconds(30);
    /** The reaper's thread; one while the ttl bundle is active, whatever was updated. */
    private static final String REAPER_THREAD = "earthwo-ttl-reaper";
    /** The example hook's delivering thread; one while the hooks bundle is active. */
    private static final String HOOK_THREAD = "earthwo-hook-example";

    @Inject
    private BundleContext context;

    @Inject
    private KvClientFactory clients;

    @Inject
    private Kv kv;

    @Configuration
    public Option[] config() throws IOException {
        Path dist = Paths.get(System.getProperty("earthwo.distribution")).toAbsolutePath();
        Path data = Files.createTempDirectory("earthwo-felix-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<Option> options = new ArrayList<>();
        options.add(junitBundles());
        options.add(systemProperty("earthwo.data").value(data.toString()));
        options.add(systemProperty("earthwo.port").value(String.valueOf(port)));
        options.add(systemProperty("earthwo.distribution").value(dist.toString()));
        options.add(frameworkProperty("gosh.args").value("--nointeractive"));
        options.add(systemProperty("earthwo.storage.outbox.enabled").value("true"));
        // A hook plug-in, as one dropped into deploy/ would be: work for the hooks bundle.
        options.add(bundle(Paths.get(System.getProperty("earthwo.example.hook.jar")).toUri().toString()));
        // An index extractor plug-in likewise: work for the indexes bundle.
        options.add(bundle(Paths.get(System.getProperty("earthwo.example.extractor.jar")).toUri().toString()));
        try (Stream<Path> jars = Files.list(dist.resolve("bundle"))) {
            for (Path jar : jars.sorted().collect(Collectors.toList())) {
                String name = jar.getFileName().toString();
                // Pax Exam brings its own SLF4J (pax-logging); the interactive shell would read stdin.
                if (name.startsWith("slf4j-") || name.contains("gogo.shell")) {
                    continue;
                }
                options.add(bundle(jar.toUri().toString()));
            }
        }
        return options.toArray(new Option[0]);
    }

    @Test
    public void bundleUpdatesUnderLoadCostClientsAtMostARetry() throws Exception {
        Path data = Paths.get(System.getProperty("earthwo.data"));
        waitFor(() -> Files.exists(data.resolve("endpoint")), "the server's endpoint file");
        String endpoint = Files.readString(data.resolve("endpoint")).trim();

        Bundle storage = installed("earthwo.storage");
        Bundle server = installed("earthwo.server");
        Bundle ttl = installed("earthwo.ttl");
        Bundle hooks = installed("earthwo.hooks");
        Bundle webhook = installed("earthwo.hooks.webhook");
        Bundle exampleHook = installed("earthwo.example.hook");
        Bundle indexesBundle = installed("earthwo.indexes");
        Bundle exampleExtractor = installed("earthwo.example.extractor");
        Bundle channels = installed("earthwo.channels");
        // Two indexes kept through every update: one on the key (built in), one on the value (the plug-in).
        Indexes indexes = service(Indexes.class);
        indexes.create("swapkey", "key:^swap:(\\d+)$", IndexType.LONG);
        indexes.create("swapvalue", "csv:0", IndexType.STRING);
        Map<String, Integer> baseline;
        java.util.TreeSet<String> writtenKeys;
        try (KvClient client = clients.connect(KvClientFactory.Config.seeds(endpoint)
                .withRequestTimeout(Duration.ofSeconds(5)))) {
            ClientLoop loop = new ClientLoop(client);
            Thread t = new Thread(loop, "hot-swap-client-loop");
            ChannelLoop channelLoop = new ChannelLoop(client);
            Thread ct = new Thread(channelLoop, "hot-swap-channel-loop");
            t.start();
            ct.start();
            try {
                loop.awaitOps(300);
                channelLoop.awaitReceived(300);
                // Netty starts event loop threads lazily, so count threads once traffic flows.
                baseline = threadCounts();
                for (int round = 0; round < 3; round++) {
                    update(storage);
                    loop.awaitOps(loop.ops.get() + 300);
                }
                update(server);
                loop.awaitOps(loop.ops.get() + 300);
                for (int round = 0; round < 2; round++) {
                    update(ttl);
                    awaitReaperRunning();
                    loop.awaitOps(loop.ops.get() + 300);
                }
                for (int round = 0; round < 2; round++) {
                    update(hooks);
                    awaitHookActive();
                    loop.awaitOps(loop.ops.get() + 300);
                }
                update(webhook);
                loop.awaitOps(loop.ops.get() + 300);
                for (int round = 0; round < 2; round++) {
                    update(indexesBundle);
                    loop.awaitOps(loop.ops.get() + 300);
                }
                update(exampleExtractor, Paths.get(System.getProperty("earthwo.example.extractor.jar")));
                loop.awaitOps(loop.ops.get() + 300);
                for (int round = 0; round < 2; round++) {
                    update(channels);
                    channelLoop.awaitReceived(channelLoop.received.size() + 300);
                    loop.awaitOps(loop.ops.get() + 300);
                }
                for (int round = 0; round < 2; round++) {
                    update(exampleHook, Paths.get(System.getProperty("earthwo.example.hook.jar")));
                    awaitHookActive();
                    loop.awaitOps(loop.ops.get() + 300);
                }
                awaitReaperRunning(); // also after the updates of the store it reads
                awaitHookActive();
            } finally {
                loop.running.set(false);
                channelLoop.running.set(false);
                t.join(60_000);
                ct.join(60_000);
            }
            assertEquals("operations that failed even after retrying: " + loop.firstFailure, 0, loop.failures.get());
            System.out.println("hot swap: " + loop.ops.get() + " client operations, " + loop.retried.get()
                    + " retried during 16 bundle updates");
            // Every acknowledged publish reached the subscriber across the updates of the server
            // (connections dropped) and of the channels bundle (its buffers drained, then resumed).
            channelLoop.checkDelivered();
            writtenKeys = new java.util.TreeSet<>(loop.written.keySet());
            for (Map.Entry<String, String> e : loop.written.entrySet()) {
                Optional<Record> r = client.get(Keys.utf8(e.getKey()));
                assertTrue("lost " + e.getKey(), r.isPresent());
                assertEquals(e.getValue(), Keys.string(r.get().value()));
            }
            // No event lost across the updates of the store, the hooks bundle and the hook itself: the
            // example hook logged a change of every key the loop wrote.
            Path log = Paths.get(System.getProperty("earthwo.data"), "example-hook", "events.log");
            waitFor(() -> {
                try {
                    String logged = Files.readString(log);
                    return loop.written.keySet().stream().allMatch(k -> logged.contains(" " + k + " "));
                } catch (IOException e) {
                    return false;
                }
            }, "an event of each of the " + loop.written.size() + " keys written in the example hook's log");
        }
        // No index entry lost or stale across the updates of the store, the indexes bundle and the
        // extractor plug-in (caught up, not rebuilt: both stay ready): each index answers exactly
        // the keys the loop wrote.
        Indexes current = service(Indexes.class);
        waitFor(() -> current.list().stream().allMatch(i -> i.state() == IndexState.READY), "both indexes ready");
        assertEquals(writtenKeys, rowKeys(current, IndexQuery.range("swapkey", null, null), k -> true));
        assertEquals(writtenKeys, rowKeys(current, IndexQuery.range("swapvalue", null, null), k -> k.startsWith("swap:")));
        // Old revisions must have stopped their JE and Netty threads: the thread population
        // returns to what it was with one revision of each bundle running.
        Map<String, Integer> expected = baseline;
        waitFor(() -> threadCounts().equals(expected), "thread counts back to " + expected
                + " (now " + threadCounts() + ")");
        assertEquals("reaper threads", Integer.valueOf(1), expected.get(REAPER_THREAD));
        assertEquals("hook threads", Integer.valueOf(1), expected.get(HOOK_THREAD));
        assertEquals("hooks housekeeping threads", Integer.valueOf(1), expected.get("earthwo-hooks-housekeeping"));
        assertEquals("index builder threads", Integer.valueOf(1), expected.get("earthwo-indexes-builder"));
    }

    /** Keys of every row of an index query (all pages) that {@code keep} takes, sorted. */
    private static java.util.TreeSet<String> rowKeys(Indexes indexes, IndexQuery q, java.util.function.Predicate<String> keep) {
        java.util.TreeSet<String> keys = new java.util.TreeSet<>();
        IndexPage page = earthwo.api.Futures.join(indexes.query(q.limit(IndexQuery.MAX_LIMIT).keysOnly(true)));
        while (true) {
            page.rows().stream().map(r -> Keys.string(r.key())).filter(keep).forEach(keys::add);
            if (!page.hasMore()) {
                return keys;
            }
            page = earthwo.api.Futures.join(indexes.query(q.limit(IndexQuery.MAX_LIMIT).keysOnly(true).after(page.cursor())));
        }
    }

    /** The service of a type, waiting for it (it comes back after an update of its bundle). */
    private <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T s = tracker.waitForService(RETRY_FOR.toMillis());
            assertTrue(type.getSimpleName() + " service", s != null);
            return s;
        } finally {
            tracker.close();
        }
    }

    /** Waits for the hooks status source to be back with the example hook active on an outbox. */
    private void awaitHookActive() throws Exception {
        Filter filter = context.createFilter("(&(objectClass=" + StatusSource.class.getName() + ")(earthwo.status.name=hooks))");
        ServiceTracker<StatusSource, StatusSource> tracker = new ServiceTracker<>(context, filter, null);
        tracker.open();
        try {
            waitFor(() -> {
                StatusSource s = tracker.getService();
                return s != null && Boolean.TRUE.equals(s.status().get("outbox"))
                        && "active".equals(s.status().get("example.state"));
            }, "the example hook active (hooks.example.state = active, hooks.outbox = true)");
            // It delivers again: a key written now reaches its events.log.
            String key = "swap-hook:" + System.nanoTime();
            ServiceTracker<Kv, Kv> kvs = new ServiceTracker<>(context, Kv.class, null);
            kvs.open();
            try {
                // The Kv of now (the injected one may be an instance the store updates replaced).
                waitFor(() -> {
                    Kv current = kvs.getService();
                    try {
                        return current != null && current.putAsync(Keys.utf8(key), Keys.utf8("v"), WriteOptions.DEFAULT)
                                .toCompletableFuture().get() != null;
                    } catch (Exception e) {
                        return false;
                    }
                }, "a put of " + key);
            } finally {
                kvs.close();
            }
            Path log = Paths.get(System.getProperty("earthwo.data"), "example-hook", "events.log");
            waitFor(() -> {
                try {
                    return Files.exists(log) && Files.readString(log).contains(" CREATED " + key + " ");
                } catch (IOException e) {
                    return false;
                }
            }, "the example hook got " + key);
        } finally {
            tracker.close();
        }
    }

    /** Waits for the reaper's status source to be back and to report its thread running. */
    private void awaitReaperRunning() throws Exception {
        Filter filter = context.createFilter("(&(objectClass=" + StatusSource.class.getName() + ")(earthwo.status.name=ttl))");
        ServiceTracker<StatusSource, StatusSource> tracker = new ServiceTracker<>(context, filter, null);
        tracker.open();
        try {
            waitFor(() -> {
                StatusSource s = tracker.getService();
                return s != null && Boolean.TRUE.equals(s.status().get("reaper.running"));
            }, "the reaper running (ttl.reaper.running = true)");
        } finally {
            tracker.close();
        }
    }

    private Bundle installed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    /** Updates a bundle of the distribution in place from its own jar, as FileInstall does for a jar in deploy/. */
    private void update(Bundle b) throws Exception {
        Path jar;
        try (Stream<Path> jars = Files.list(Paths.get(System.getProperty("earthwo.distribution"), "bundle"))) {
            // By its whole name: earthwo.hooks.jar, not earthwo.hooks.webhook.jar.
            jar = jars.filter(p -> p.getFileName().toString().equals(b.getSymbolicName() + ".jar")).findFirst().orElseThrow();
        }
        update(b, jar);
    }

    private void update(Bundle b, Path jar) throws Exception {
        try (InputStream in = Files.newInputStream(jar)) {
            b.update(in);
        }
        ServiceTracker<Kv, Kv> tracker = new ServiceTracker<>(context, Kv.class, null);
        tracker.open();
        try {
            assertTrue("Kv service did not come back after updating " + b.getSymbolicName(),
                    tracker.waitForService(RETRY_FOR.toMillis()) != null);
        } finally {
            tracker.close();
        }
    }

    /** Live threads grouped by name with digits removed, leaving out pools that come and go. */
    private static Map<String, Integer> threadCounts() {
        Map<String, Integer> counts = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName().replaceAll("\\d+", "#");
            counts.merge(name, 1, Integer::sum);
        }
        return withoutTransient(counts);
    }

    private static Map<String, Integer> withoutTransient(Map<String, Integer> counts) {
        Map<String, Integer> out = new HashMap<>(counts);
        out.keySet().removeIf(n -> n.startsWith("ForkJoinPool") || n.startsWith("hot-swap")
                || n.startsWith("Attach") || n.startsWith("process reaper") || n.contains("earthwo-client")
                // Query threads start with the first query of each revision and end with it; the
                // outbox switch's thread lives only while it marks the cluster.
                || n.startsWith("earthwo-indexes-query-") || n.equals("earthwo-hooks-outbox-switch")
                // Netty's JVM-wide executor: it belongs to netty-common (never updated here) and
                // ends by itself once idle.
                || n.startsWith("globalEventExecutor")
                // Felix SCR's own timer thread (the SCR bundle is never updated here): it comes
                // with delayed component work and ends once idle, more often on a loaded machine.
                || n.equals("SCR Component Registry"));
        return out;
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + RETRY_FOR.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Publishes numbered messages on one channel, retrying retryable errors, and receives them
     * through a subscription of the same client, which fails over by itself.
     */
    private static final class ChannelLoop implements Runnable, ChannelListener {
        static final int IN_TRANSIT = 64;
        final KvClient client;
        final ChannelSubscription subscription;
        final AtomicBoolean running = new AtomicBoolean(true);
        final java.util.Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final Map<String, Integer> received = new ConcurrentHashMap<>();
        final Map<StreamKey, Long> lastSequence = new ConcurrentHashMap<>();
        final AtomicInteger outOfOrder = new AtomicInteger();
        final AtomicInteger gaps = new AtomicInteger();
        final AtomicInteger retried = new AtomicInteger();
        final java.util.concurrent.Semaphore inTransit = new java.util.concurrent.Semaphore(IN_TRANSIT);
        volatile Throwable failure;

        ChannelLoop(KvClient client) throws Exception {
            this.client = client;
            this.subscription = client.subscribe(SubscribeRequest.ofChannels("swap.events"), this);
            subscription.ready().get(RETRY_FOR.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public void run() {
            for (int i = 0; running.get() && failure == null; i++) {
                String message = "m" + i;
                long deadline = System.nanoTime() + RETRY_FOR.toNanos();
                while (running.get()) {
                    try {
                        // At most IN_TRANSIT messages not yet received: the load follows the subscriber
                        // and the bookkeeping stays small, whatever the machine's speed.
                        if (!inTransit.tryAcquire(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        client.publish("swap.events", Keys.utf8(message));
                        acknowledged.add(message);
                        break;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (EarthwoException e) {
                        inTransit.release(); // not acknowledged: its permit goes to the next attempt
                        if (!e.isRetryable() || System.nanoTime() > deadline) {
                            failure = e;
                            return;
                        }
                        retried.incrementAndGet();
                    }
                }
            }
        }

        @Override
        public void onMessage(ChannelMessage m) {
            if (received.merge(Keys.string(m.payload()), 1, Integer::sum) == 1) {
                inTransit.release();
            }
            Long before = lastSequence.put(m.stream(), m.sequence());
            if (before != null && m.sequence() != before + 1) {
                outOfOrder.incrementAndGet();
            }
        }

        @Override
        public void onGap(Gap gap) {
            gaps.incrementAndGet();
        }

        void awaitReceived(int n) throws InterruptedException {
            waitFor(() -> received.size() >= n || failure != null, n + " channel messages received (at "
                    + received.size() + ")");
        }

        void checkDelivered() throws InterruptedException {
            try {
                assertEquals("publish failed even after retrying: " + failure, null, failure);
                waitFor(() -> received.keySet().containsAll(acknowledged), "every acknowledged message received ("
                        + acknowledged.stream().filter(m -> !received.containsKey(m)).count() + " missing)");
                long twice = received.values().stream().filter(n -> n > 1).count();
                System.out.println("hot swap: " + acknowledged.size() + " messages published, " + retried.get()
                        + " publishes retried, " + twice + " received twice, " + subscription.failovers()
                        + " subscription failovers");
                // Only a publish retried after its answer was lost may arrive twice (as two messages).
                assertTrue(twice + " messages received twice, " + retried.get() + " publishes retried",
                        twice <= retried.get());
                assertEquals("messages out of order within their stream", 0, outOfOrder.get());
                assertEquals("gaps", 0, gaps.get());
                assertTrue("the subscription resumed after the updates", subscription.failovers() >= 2);
            } finally {
                subscription.close();
            }
        }
    }

    /** Puts and reads back keys in a loop; retries retryable errors with a deadline per operation. */
    private static final class ClientLoop implements Runnable {
        final KvClient client;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger ops = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger retried = new AtomicInteger();
        final Map<String, String> written = new ConcurrentHashMap<>();
        volatile String firstFailure;

        ClientLoop(KvClient client) {
            this.client = client;
        }

        @Override
        public void run() {
            for (int i = 0; running.get(); i++) {
                String key = "swap:" + i;
                String value = "v" + i;
                // Expires while bundles are updated: work for the reaper. Ten seconds, longer than
                // the client's request timeout, so that a put the client retries inside it is still
                // in the future when a node takes it (else it is refused).
                String expiring = "swap-ttl:" + i;
                withRetry(() -> client.put(Keys.utf8(expiring), Keys.utf8(value),
                        WriteOptions.DEFAULT.expiringAt(System.currentTimeMillis() + 10_000)));
                if (withRetry(() -> client.put(Keys.utf8(key), Keys.utf8(value), WriteOptions.DEFAULT))) {
                    written.put(key, value);
                    withRetry(() -> {
                        Record r = client.get(Keys.utf8(key)).orElseThrow(() -> new AssertionError("read-your-write failed for " + key));
                        if (!value.equals(Keys.string(r.value()))) {
                            throw new AssertionError("wrong value for " + key);
                        }
                        return r;
                    });
                }
                ops.incrementAndGet();
            }
        }

        private boolean withRetry(java.util.concurrent.Callable<?> op) {
            long deadline = System.nanoTime() + RETRY_FOR.toNanos();
            while (true) {
                try {
                    op.call();
                    return true;
                } catch (EarthwoException e) {
                    if (!e.isRetryable() || System.nanoTime() > deadline) {
                        fail(e);
                        return false;
                    }
                    retried.incrementAndGet();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                } catch (Throwable t) {
                    fail(t);
                    return false;
                }
            }
        }

        private void fail(Throwable t) {
            failures.incrementAndGet();
            if (firstFailure == null) {
                firstFailure = String.valueOf(t);
            }
        }

        void awaitOps(int n) throws InterruptedException {
            waitFor(() -> ops.get() >= n || !running.get(), n + " client operations (at " + ops.get() + ")");
        }
    }
}

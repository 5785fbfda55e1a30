package earthwo.it.cluster;

import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Continuous writes of fresh keys (pipelined) and reads of acknowledged ones, counting what was
 * acknowledged and every operation that failed after the client's own retries.
 */
final class LoadGenerator implements AutoCloseable {

    final Map<String, String> acked = new ConcurrentHashMap<>();
    final AtomicInteger writeFailures = new AtomicInteger();
    final AtomicInteger readFailures = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    final List<String> failureSamples = new ArrayList<>();

    private final KvClient client;
    private final String prefix;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread writer;
    private final Thread reader;

    LoadGenerator(KvClient client, String prefix, WriteOptions options) {
        this.client = client;
        this.prefix = prefix;
        Semaphore inFlight = new Semaphore(32);
        AtomicInteger next = new AtomicInteger();
        writer = new Thread(() -> {
            while (running.get()) {
                try {
                    if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                String key = prefix + next.getAndIncrement();
                String value = "v-" + key;
                client.putAsync(Keys.utf8(key), Keys.utf8(value), options).whenComplete((v, err) -> {
                    if (err == null) {
                        acked.put(key, value);
                    } else {
                        writeFailures.incrementAndGet();
                        sample("write " + key + ": " + err);
                    }
                    inFlight.release();
                });
            }
            inFlight.acquireUninterruptibly(32);
        }, "load-writer");
        reader = new Thread(() -> {
            while (running.get()) {
                List<String> keys = new ArrayList<>(acked.keySet());
                if (keys.isEmpty()) {
                    Thread.onSpinWait();
                    continue;
                }
                String key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
                try {
                    Optional<Record> r = client.get(Keys.utf8(key));
                    reads.incrementAndGet();
                    if (r.isEmpty()) {
                        readFailures.incrementAndGet();
                        sample("read " + key + ": absent");
                    }
                } catch (RuntimeException e) {
                    readFailures.incrementAndGet();
                    sample("read " + key + ": " + e);
                }
            }
        }, "load-reader");
        writer.start();
        reader.start();
    }

    private synchronized void sample(String s) {
        if (failureSamples.size() < 5) {
            failureSamples.add(s);
        }
    }

    void awaitAcked(int n, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (acked.size() < n) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("only " + acked.size() + " of " + n + " writes acknowledged; failures "
                        + failureSamples);
            }
            Thread.sleep(20);
        }
    }

    String prefix() {
        return prefix;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        writer.join(30_000);
        reader.join(30_000);
    }
}

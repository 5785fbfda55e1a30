package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.client.EarthwoClients;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench --java-client}: the load goes through the Java client library. {@code -c} clients,
 * each its own single-node client ({@link EarthwoClients#connectToOneNode}: one connection to the
 * first seed that answers, with its reader and writer threads; no segment routing: a node forwards
 * what it does not hold)
 * driven by one thread that keeps {@code -P} requests in flight; {@code -n} requests per test
 * split evenly among the clients. Failed requests are retried by the client as in any application
 * (UNAVAILABLE, BUSY, WRONG_SEGMENT within the request timeout).
 */
final class ClientBenchDriver implements Bench.Driver {

    private final BenchOptions options;
    private final KvClientFactory.Config config;
    private final List<KvClient> clients = new ArrayList<>();

    ClientBenchDriver(BenchOptions options, KvClientFactory.Config config) {
        this.options = options;
        this.config = config.withMaxInFlight(Math.max(config.maxInFlightPerConnection(), options.pipeline));
    }

    @Override
    public void open() {
        for (int i = 0; i < options.clients; i++) {
            clients.add(EarthwoClients.connectToOneNode(config));
        }
    }

    @Override
    public void close() {
        for (KvClient c : clients) {
            c.close();
        }
        clients.clear();
    }

    @Override
    public BenchResult run(String test) {
        int n = options.requests;
        int c = clients.size();
        byte[] value = new byte[options.dataSize];
        Arrays.fill(value, (byte) 'x');
        int[][] latencies = new int[c][];
        AtomicLong errors = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(c);
        for (int i = 0; i < c; i++) {
            int quota = n / c + (i < n % c ? 1 : 0);
            int[] lat = new int[quota];
            latencies[i] = lat;
            KvClient client = clients.get(i);
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    drive(test, client, quota, lat, value, errors, firstError);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "earthwo-bench-" + i);
            t.setDaemon(true);
            t.start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "bench interrupted");
        }
        long elapsed = System.nanoTime() - t0;
        int[] all = new int[n];
        int pos = 0;
        for (int[] l : latencies) {
            System.arraycopy(l, 0, all, pos, l.length);
            pos += l.length;
        }
        if (errors.get() == n && firstError.get() != null) {
            Throwable e = firstError.get();
            throw e instanceof EarthwoException ee ? ee : new EarthwoException(ErrorCode.INTERNAL, String.valueOf(e), e);
        }
        return new BenchResult(test, all, elapsed, errors.get());
    }

    private void drive(String test, KvClient client, int quota, int[] lat, byte[] value, AtomicLong errors,
                       AtomicReference<Throwable> firstError) throws InterruptedException {
        int depth = options.pipeline;
        Semaphore window = new Semaphore(depth);
        AtomicInteger slot = new AtomicInteger();
        byte[] fixedKey = "key:__rand_int__".getBytes(StandardCharsets.US_ASCII);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < quota; i++) {
            window.acquire();
            byte[] key = options.keyspace > 0 ? Bench.randomKey(rnd.nextLong(options.keyspace)) : fixedKey;
            long sent = System.nanoTime();
            CompletableFuture<?> f;
            try {
                f = issue(test, client, key, value);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, e) -> {
                long micros = (System.nanoTime() - sent) / 1000;
                lat[slot.getAndIncrement()] = (int) Math.min(Integer.MAX_VALUE, micros);
                if (e != null) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e.getCause() != null ? e.getCause() : e);
                }
                window.release();
            });
        }
        window.acquire(depth);
    }

    private CompletableFuture<?> issue(String test, KvClient client, byte[] key, byte[] value) {
        switch (test) {
            case "SET": {
                WriteOptions w = WriteOptions.DEFAULT.withConcern(options.concern);
                if (options.ttlMillis > 0) {
                    w = w.expiringAt(System.currentTimeMillis() + options.ttlMillis); // at sending
                }
                return client.putAsync(key, value, w);
            }
            case "GET":
                return client.getAsync(key);
            default:
                return EarthwoClients.pingAsync(client);
        }
    }
}

package earthwo.client.cli;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClientFactory;
import earthwo.client.internal.RoutingKvClient;

import java.io.PrintStream;
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
 * {@code earthwo bench}: redis-benchmark's workload against one node.
 *
 * <p>{@code -c} clients, each its own single-node client (one connection) driven by one thread
 * that keeps {@code -P} requests in flight; {@code -n} requests per test split evenly among the
 * clients. Keys are {@code key:%012d} drawn uniformly from {@code [0, -r)}, or the literal
 * {@code key:__rand_int__} without {@code -r}, as redis-benchmark does; values are {@code -d}
 * bytes of 'x'. Connections are opened before the first test and not timed; there is no warm-up
 * (redis-benchmark has none either), so the JIT's first seconds count against a short run: use
 * {@code -n} of a million or more when comparing. No progress line is printed.
 */
final class Bench {

    private final BenchOptions options;
    private final KvClientFactory.Config config;

    Bench(BenchOptions options, KvClientFactory.Config config) {
        this.options = options;
        this.config = config.withMaxInFlight(Math.max(config.maxInFlightPerConnection(), options.pipeline));
    }

    /** Runs every test and prints the report; returns the results. */
    List<BenchResult> run(PrintStream out, PrintStream err) {
        List<RoutingKvClient> clients = new ArrayList<>(options.clients);
        List<BenchResult> results = new ArrayList<>();
        try {
            for (int i = 0; i < options.clients; i++) {
                clients.add(RoutingKvClient.connect(config, false, null));
            }
            if (options.csv) {
                out.println(BenchResult.CSV_HEADER);
            }
            for (String test : options.tests) {
                BenchResult r = runTest(test, clients);
                results.add(r);
                if (options.csv) {
                    out.println(r.csvLine());
                } else if (options.quiet) {
                    out.println(r.quietLine());
                } else {
                    r.printSummary(out, options.clients, options.dataSize, options.pipeline);
                }
                out.flush();
                if (r.errors > 0) {
                    err.println("earthwo: " + test + ": " + r.errors + " of " + r.requests + " requests failed");
                }
            }
        } finally {
            for (RoutingKvClient c : clients) {
                c.close();
            }
        }
        return results;
    }

    private BenchResult runTest(String test, List<RoutingKvClient> clients) {
        int n = options.requests;
        int c = clients.size();
        byte[] value = new byte[options.dataSize];
        Arrays.fill(value, (byte) 'x');
        int[][] latencies = new int[c][];
        AtomicLong errors = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(c);
        List<Thread> threads = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            int quota = n / c + (i < n % c ? 1 : 0);
            int[] lat = new int[quota];
            latencies[i] = lat;
            RoutingKvClient client = clients.get(i);
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
            threads.add(t);
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

    private void drive(String test, RoutingKvClient client, int quota, int[] lat, byte[] value, AtomicLong errors,
                       AtomicReference<Throwable> firstError) throws InterruptedException {
        int depth = options.pipeline;
        Semaphore window = new Semaphore(depth);
        AtomicInteger slot = new AtomicInteger();
        byte[] fixedKey = "key:__rand_int__".getBytes(StandardCharsets.US_ASCII);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < quota; i++) {
            window.acquire();
            byte[] key = options.keyspace > 0 ? randomKey(rnd.nextLong(options.keyspace)) : fixedKey;
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

    private CompletableFuture<?> issue(String test, RoutingKvClient client, byte[] key, byte[] value) {
        switch (test) {
            case "SET":
                return client.putAsync(key, value, WriteOptions.DEFAULT.withConcern(options.concern));
            case "GET":
                return client.getAsync(key);
            default:
                return client.pingAsync();
        }
    }

    /** {@code key:%012d}, as redis-benchmark expands {@code key:__rand_int__} with -r. */
    static byte[] randomKey(long n) {
        byte[] k = new byte[16];
        k[0] = 'k';
        k[1] = 'e';
        k[2] = 'y';
        k[3] = ':';
        for (int i = 15; i >= 4; i--) {
            k[i] = (byte) ('0' + (n % 10));
            n /= 10;
        }
        return k;
    }
}

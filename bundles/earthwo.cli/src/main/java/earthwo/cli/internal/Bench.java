package earthwo.cli.internal;

import earthwo.api.client.KvClientFactory;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code earthwo bench}: redis-benchmark's workload against a node (or a cluster).
 *
 * <p>{@code -n} requests per test from {@code -c} clients, each keeping {@code -P} requests in
 * flight (a sliding window: a new request leaves as soon as an answer arrives). Keys are
 * {@code key:%012d} drawn uniformly from {@code [0, -r)}, or the literal {@code key:__rand_int__}
 * without {@code -r}, as redis-benchmark does; values are {@code -d} bytes of 'x'. Connections
 * are opened before the first test and not timed; there is no warm-up (redis-benchmark has none
 * either), so the JIT's first seconds count against a short run: use {@code -n} of a million or
 * more when comparing. No progress line is printed.
 *
 * <p>Two load generators:
 * <ul>
 *   <li>default, {@link NioBenchDriver}: like redis-benchmark, one thread drives every connection
 *       with non-blocking sockets, so the load generator costs the machine little CPU;</li>
 *   <li>{@code --java-client}, {@link ClientBenchDriver}: one Java client (the client library's
 *       single-node client) per {@code -c}, each driven by a thread of its own: what an
 *       application using the client library gets, client threads and all.</li>
 * </ul>
 */
final class Bench {

    private final BenchOptions options;
    private final KvClientFactory.Config config;

    Bench(BenchOptions options, KvClientFactory.Config config) {
        this.options = options;
        this.config = config;
    }

    /** One way of generating the load: opens its connections, runs tests, closes. */
    interface Driver extends AutoCloseable {
        /** Opens every connection (not timed). */
        void open();

        /** Runs one test ("SET", "GET", "PING_INLINE", "PING_MBULK") of {@code -n} requests. */
        BenchResult run(String test);

        @Override
        void close();
    }

    /** Runs every test and prints the report; returns the results. */
    List<BenchResult> run(PrintStream out, PrintStream err) {
        List<BenchResult> results = new ArrayList<>();
        if (config.tlsCa() != null && !options.javaClient) {
            throw new UsageException("bench over TLS runs through the Java client: add --java-client");
        }
        try (Driver driver = options.javaClient ? new ClientBenchDriver(options, config)
                : new NioBenchDriver(options, config)) {
            driver.open();
            if (options.csv) {
                out.println(BenchResult.CSV_HEADER);
            }
            for (String test : options.tests) {
                BenchResult r = driver.run(test);
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
        }
        return results;
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

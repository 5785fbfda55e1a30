import earthwo.api.Keys;
import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.client.EarthwoClients;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What secondary indexes cost, against one running node (indexes-cost.sh starts it):
 *
 * <pre>
 * IndexCost SEEDS NODE_PIDS DIST DATA write  N INDEXES   SETs of JSON values with INDEXES (0, 1 or 3)
 *                                                          defined first: rps, p99, node CPU per SET
 * IndexCost SEEDS NODE_PIDS DIST DATA query  N RATE      N records, then the indexes created while
 *                                                          RATE SETs/s go on: backfill rate; then
 *                                                          exact and range query latency
 * </pre>
 *
 * SEEDS: host:port,...; NODE_PIDS: pid,... (their CPU is summed); DATA: a node's data directory,
 * for bin/earthwo exec. Values: {"email":"e&lt;i&gt;@x","n":&lt;i % (N/100)&gt;,"tags":["t&lt;i%7&gt;","u&lt;i%11&gt;"],"pad":"…"}, about
 * 100 bytes: an email matches one record, an n a hundred. The indexes: email (json:$.email),
 * then n (json:$.n, long) and tag (json:$.tags[*]).
 */
public final class IndexCost {

    private static final int WINDOW = 64;

    public static void main(String[] args) throws Exception {
        String seed = args[0];
        long[] pids = Arrays.stream(args[1].split(",")).mapToLong(Long::parseLong).toArray();
        Path dist = Path.of(args[2]);
        Path data = Path.of(args[3]);
        String mode = args[4];
        int n = Integer.parseInt(args[5]);
        int extra = Integer.parseInt(args[6]);
        try (KvClient client = EarthwoClients.connect(KvClientFactory.Config.seeds(seed.split(","))
                .withRequestTimeout(Duration.ofSeconds(30)))) {
            if (mode.equals("write")) {
                writeCost(client, pids, dist, data, n, extra);
            } else {
                queryCost(client, pids, dist, data, n, extra);
            }
        }
    }

    static String value(long i, int records) {
        String v = "{\"email\":\"e" + i + "@x\",\"n\":" + (i % Math.max(1, records / 100)) + ",\"tags\":[\"t" + (i % 7)
                + "\",\"u" + (i % 11) + "\"],\"pad\":\"";
        return v + "x".repeat(Math.max(0, 96 - v.length())) + "\"}";
    }

    private static final List<String> DEFINITIONS = List.of("index:create email 'json:$.email'",
            "index:create n 'json:$.n' --type long", "index:create tag 'json:$.tags[*]'");

    private static void exec(Path dist, Path data, String command) throws Exception {
        Process p = new ProcessBuilder(dist.resolve("bin/earthwo").toString(), "exec", "--data", data.toString(), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(command + ": " + out);
        }
    }

    private static String status(Path dist, Path data, String key) throws Exception {
        Process p = new ProcessBuilder(dist.resolve("bin/earthwo").toString(), "exec", "--data", data.toString(),
                "node:status").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" = ", 2);
            if (f.length == 2 && f[0].equals(key)) {
                return f[1].trim();
            }
        }
        return "";
    }

    /** CPU ticks (user + system) of the node processes, summed. */
    private static long nodeTicks(long[] pids) throws Exception {
        long t = 0;
        for (long pid : pids) {
            String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst(".*\\) ", "").split(" ");
            t += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
        return t;
    }

    /** Puts keys from..to (exclusive) of values for {@code records}, WINDOW in flight; returns each latency in us. */
    private static long[] put(KvClient client, long from, long to, int records, SplittableRandom random) throws Exception {
        long[] lat = new long[(int) (to - from)];
        Semaphore window = new Semaphore(WINDOW);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (long i = from; i < to && failure.get() == null; i++) {
            long k = random == null ? i : random.nextLong(records);
            window.acquire();
            long t0 = System.nanoTime();
            int slot = (int) (i - from);
            client.putAsync(Keys.utf8("rec:" + k), value(k, records).getBytes(StandardCharsets.UTF_8), WriteOptions.DEFAULT)
                    .whenComplete((v, e) -> {
                        lat[slot] = (System.nanoTime() - t0) / 1_000;
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                        window.release();
                    });
        }
        window.acquire(WINDOW);
        if (failure.get() != null) {
            throw new IllegalStateException("a put failed", failure.get());
        }
        return lat;
    }

    private static void writeCost(KvClient client, long[] pid, Path dist, Path data, int n, int indexes) throws Exception {
        for (int i = 0; i < indexes; i++) {
            exec(dist, data, DEFINITIONS.get(i));
        }
        SplittableRandom random = new SplittableRandom(1);
        put(client, 0, n, n, random); // warm-up, and most keys exist: the measured SETs overwrite
        long ticks = nodeTicks(pid);
        long t0 = System.nanoTime();
        long[] lat = put(client, 0, n, n, random);
        double s = (System.nanoTime() - t0) / 1e9;
        double us = (nodeTicks(pid) - ticks) * 1e6 / 100.0 / n; // CLK_TCK 100
        Arrays.sort(lat);
        System.out.printf(Locale.ROOT, "write indexes=%d sets=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f node_us_per_set=%.1f%n",
                indexes, n, n / s, lat[lat.length / 2] / 1000.0, lat[(int) (lat.length * 0.99)] / 1000.0, us);
    }

    private static void queryCost(KvClient client, long[] pid, Path dist, Path data, int records, int rate) throws Exception {
        long t0 = System.nanoTime();
        put(client, 0, records, records, null);
        System.out.printf(Locale.ROOT, "loaded %d records in %.1f s%n", records, (System.nanoTime() - t0) / 1e9);

        // Backfill of two indexes while RATE SETs/s of other keys go on.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong steady = new AtomicLong();
        Thread load = new Thread(() -> {
            long next = System.nanoTime();
            long i = 0;
            Semaphore window = new Semaphore(WINDOW);
            while (!stop.get()) {
                long now = System.nanoTime();
                if (now < next) {
                    java.util.concurrent.locks.LockSupport.parkNanos(next - now);
                    continue;
                }
                next += 1_000_000_000L / rate;
                try {
                    window.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                long k = records + (i++ % 100_000);
                client.putAsync(Keys.utf8("steady:" + k), value(k, records).getBytes(StandardCharsets.UTF_8),
                        WriteOptions.DEFAULT).whenComplete((v, e) -> {
                            steady.incrementAndGet();
                            window.release();
                        });
            }
        }, "steady-load");
        load.start();
        TimeUnit.SECONDS.sleep(3);
        long ticks = nodeTicks(pid);
        long b0 = System.nanoTime();
        long steady0 = steady.get();
        exec(dist, data, DEFINITIONS.get(0));
        exec(dist, data, DEFINITIONS.get(1));
        while (!(status(dist, data, "indexes.email.state").equals("ready") && status(dist, data, "indexes.n.state").equals("ready"))) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        double bs = (System.nanoTime() - b0) / 1e9;
        long steadyDone = steady.get() - steady0;
        stop.set(true);
        load.join();
        System.out.printf(Locale.ROOT, "backfill of 2 indexes over %d records: %.1f s, %.0f records/s, while %.0f SETs/s"
                + " went on; node CPU %.2f cores%n", records, bs, records / bs, steadyDone / bs,
                (nodeTicks(pid) - ticks) / 100.0 / bs);

        SplittableRandom random = new SplittableRandom(2);
        for (int warm = 0; warm < 500; warm++) {
            client.query(IndexQuery.eq("email", "e" + random.nextLong(records) + "@x"));
        }
        long[] exact = new long[2_000];
        for (int q = 0; q < exact.length; q++) {
            long t = System.nanoTime();
            IndexPage p = client.query(IndexQuery.eq("email", "e" + random.nextLong(records) + "@x"));
            exact[q] = (System.nanoTime() - t) / 1_000;
            if (p.rows().size() != 1) {
                throw new IllegalStateException("an exact match gave " + p.rows().size() + " rows");
            }
        }
        long[] range = new long[500];
        int values = Math.max(1, records / 100);
        for (int q = 0; q < range.length; q++) {
            long v = random.nextLong(values);
            long t = System.nanoTime();
            IndexPage p = client.query(IndexQuery.range("n", String.valueOf(v), String.valueOf(v)).limit(100));
            range[q] = (System.nanoTime() - t) / 1_000;
            if (p.rows().size() != 100) {
                throw new IllegalStateException("a range gave " + p.rows().size() + " rows");
            }
        }
        Arrays.sort(exact);
        Arrays.sort(range);
        System.out.printf(Locale.ROOT, "query exact (1 row): p50 %.2f ms, p99 %.2f ms; range (100 rows with values):"
                        + " p50 %.2f ms, p99 %.2f ms; %d records%n", exact[exact.length / 2] / 1000.0,
                exact[(int) (exact.length * 0.99)] / 1000.0, range[range.length / 2] / 1000.0,
                range[(int) (range.length * 0.99)] / 1000.0, records);
    }
}

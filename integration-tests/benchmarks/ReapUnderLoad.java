import earthwo.api.WriteOptions;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.protocol.Opcode;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.client.EarthwoClients;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reaping under load, against one running node (reap-under-load.sh starts and stops it):
 *
 * <ol>
 *   <li>writes {@code --keys} keys {@code reap:%09d} ({@code --value} bytes) whose expiries fall
 *       evenly in one window: key i expires at {@code T0 + i * window / keys}, T0 being
 *       {@code --t0-after-s} after the load starts, so that the load ends first;</li>
 *   <li>from {@code --lead-s} before T0 runs a steady open-loop SET load of other keys
 *       ({@code load:%012d}, no expiry, uniform over a million) at {@code --rate} per second: the
 *       pacer sends whatever is due every millisecond, at most {@code --max-inflight} in flight
 *       (beyond that it waits: the load then falls below the rate);</li>
 *   <li>samples the node's STATUS every {@code --sample-ms} (its own connection) and the node's
 *       CPU ({@code /proc/PID/stat}) until {@code storage.expiry.index.entries} is 0 (the store
 *       holds none of the keys' index entries), then keeps the load on for {@code --after-s}.</li>
 * </ol>
 *
 * Prints a timeline (per second from T0 - lead) and a summary. SET latency runs from just before
 * the request is handed to the Java client to its answer, as {@code bench} measures it.
 *
 * <pre>
 * java -cp earthwo.api.jar:earthwo.client.jar ReapUnderLoad.java HOST:PORT NODE_PID [--keys 1000000]
 *     [--window-ms 10000] [--t0-after-s 60] [--lead-s 10] [--rate 10000] [--value 100] [--sample-ms 250]
 *     [--after-s 5] [--max-s 600] [--load-clients 2] [--load-inflight 256] [--max-inflight 2000] [--clk-tck 100]
 * </pre>
 */
public final class ReapUnderLoad {

    static int keys = 1_000_000;
    static long windowMs = 10_000;
    static long t0AfterS = 60;
    static long leadS = 10;
    static int rate = 10_000;
    static int valueBytes = 100;
    static long sampleMs = 250;
    static long afterS = 5;
    static long maxS = 600;
    static int loadClients = 2;
    static int loadInflight = 256;
    static int maxInflight = 2000;
    static int clkTck = 100;

    static String address;
    static long nodePid;

    public static void main(String[] args) throws Exception {
        address = args[0];
        nodePid = Long.parseLong(args[1]);
        for (int i = 2; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--keys" -> keys = Integer.parseInt(v);
                case "--window-ms" -> windowMs = Long.parseLong(v);
                case "--t0-after-s" -> t0AfterS = Long.parseLong(v);
                case "--lead-s" -> leadS = Long.parseLong(v);
                case "--rate" -> rate = Integer.parseInt(v);
                case "--value" -> valueBytes = Integer.parseInt(v);
                case "--sample-ms" -> sampleMs = Long.parseLong(v);
                case "--after-s" -> afterS = Long.parseLong(v);
                case "--max-s" -> maxS = Long.parseLong(v);
                case "--load-clients" -> loadClients = Integer.parseInt(v);
                case "--load-inflight" -> loadInflight = Integer.parseInt(v);
                case "--max-inflight" -> maxInflight = Integer.parseInt(v);
                case "--clk-tck" -> clkTck = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        KvClientFactory.Config config = KvClientFactory.Config.seeds(address).withRequestTimeout(Duration.ofSeconds(30))
                .withMaxInFlight(Math.max(1024, Math.max(loadInflight, maxInflight)));
        byte[] value = new byte[valueBytes];
        Arrays.fill(value, (byte) 'v');

        // ---- 1. the keys that will expire
        long loadStart = System.currentTimeMillis();
        long t0 = loadStart + t0AfterS * 1000;
        long cpu0 = nodeCpuMicros();
        long selfCpu0 = selfCpuMicros();
        say("# %s: loading %,d keys (%d-byte values) expiring in [T0, T0 + %d ms), T0 = load start + %d s",
                iso(loadStart), keys, valueBytes, windowMs, t0AfterS);
        bulkLoad(config, value, t0);
        long loadEnd = System.currentTimeMillis();
        long loadCpu = nodeCpuMicros() - cpu0;
        say("load: %,d keys in %.1f s = %,.0f keys/s, node CPU %.1f s = %.1f us per key (harness CPU %.1f s); T0 - load end = %.1f s",
                keys, (loadEnd - loadStart) / 1e3, keys * 1e3 / (loadEnd - loadStart), loadCpu / 1e6,
                (double) loadCpu / keys, (selfCpuMicros() - selfCpu0) / 1e6, (t0 - loadEnd) / 1e3);
        boolean overran = loadEnd > t0 - leadS * 1000;
        if (loadEnd >= t0) {
            say("INVALID: the load ended %.1f s after T0: keys expired while it ran; raise --t0-after-s", (loadEnd - t0) / 1e3);
            System.exit(3);
        }
        if (overran) {
            say("note: the load ended %.1f s before T0, less than the lead of %d s", (t0 - loadEnd) / 1e3, leadS);
        }
        Map<String, String> s0 = status();
        say("status after load: storage.expiry.index.entries=%s ttl.keys.with.expiry=%s storage.records=%s",
                s0.get("storage.expiry.index.entries"), s0.get("ttl.keys.with.expiry"), s0.get("storage.records"));

        // ---- 2. the steady load, from T0 - lead
        sleepUntil(t0 - leadS * 1000);
        Steady steady = new Steady(config, value, (int) Math.min(Integer.MAX_VALUE, (long) rate * (leadS + maxS + afterS + 5)));
        Thread pacer = new Thread(steady, "steady-load");
        pacer.setDaemon(true);
        pacer.start();

        // ---- 3. samples until the index is empty, then --after-s more
        List<Sample> samples = new ArrayList<>();
        Map<String, Object[]> threadsBefore = null;
        Map<String, Object[]> threadsT0 = null;
        Map<String, Object[]> threadsEmpty = null;
        long empty = -1;
        long deadline = t0 + windowMs + maxS * 1000;
        long stopAt = Long.MAX_VALUE;
        long next = System.currentTimeMillis();
        while (true) {
            Sample s = sample(steady);
            samples.add(s);
            if (threadsBefore == null && s.at >= t0 - leadS * 1000 + 1000) {
                threadsBefore = threads();
            }
            if (threadsT0 == null && s.at >= t0) {
                threadsT0 = threads();
            }
            if (empty < 0 && s.at >= t0 && s.indexEntries == 0) {
                empty = s.at;
                stopAt = s.at + afterS * 1000;
                threadsEmpty = threads();
            }
            if (s.at >= stopAt || s.at >= deadline) {
                break;
            }
            next += sampleMs;
            sleepUntil(next);
        }
        steady.stop = true;
        pacer.join();
        steady.awaitInFlight();
        steady.client.close();
        Sample last = sample(steady);
        samples.add(last);

        report(samples, steady, t0, empty, loadEnd);
        if (threadsBefore != null && threadsT0 != null) {
            topThreads("before T0", threadsBefore, threadsT0, (t0 - leadS * 1000 + 1000), t0);
        }
        if (threadsT0 != null && threadsEmpty != null) {
            topThreads("reaping", threadsT0, threadsEmpty, t0, empty);
        }
    }

    /** Per node thread (by id): its name ({@code comm}, 15 characters) and CPU so far (us). */
    static Map<String, Object[]> threads() {
        Map<String, Object[]> m = new java.util.HashMap<>();
        try (var dir = Files.list(Path.of("/proc/" + nodePid + "/task"))) {
            for (Path t : (Iterable<Path>) dir::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long us = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1_000_000L / clkTck;
                    m.put(t.getFileName().toString(), new Object[]{comm, us});
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            say("cannot list the node's threads: %s", e);
        }
        return m;
    }

    /** The node threads that used the most CPU between two snapshots, as % of one core. */
    static void topThreads(String phase, Map<String, Object[]> a, Map<String, Object[]> b, long from, long to) {
        double secs = (to - from) / 1e3;
        Map<String, Long> byName = new java.util.TreeMap<>();
        b.forEach((tid, v) -> {
            long before = a.containsKey(tid) ? (Long) a.get(tid)[1] : 0;
            String name = ((String) v[0]).replaceAll("[0-9]+$", "#");
            byName.merge(name, (Long) v[1] - before, Long::sum);
        });
        StringBuilder sb = new StringBuilder();
        byName.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(10)
                .forEach(e -> sb.append(String.format(Locale.ROOT, " %s=%.0f%%", e.getKey(), e.getValue() / 1e4 / secs)));
        say("node threads, %s (%.1f s, %% of one core; # = threads of that name summed):%s", phase, secs, sb);
    }

    // ------------------------------------------------------------------ bulk load

    static void bulkLoad(KvClientFactory.Config config, byte[] value, long t0) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<KvClient> clients = new ArrayList<>();
        for (int c = 0; c < loadClients; c++) {
            KvClient client = EarthwoClients.connectToOneNode(config);
            clients.add(client);
            int first = c;
            Thread t = new Thread(() -> {
                Semaphore window = new Semaphore(loadInflight);
                for (int i = first; i < keys; i += loadClients) {
                    window.acquireUninterruptibly();
                    long expiresAt = t0 + (long) i * windowMs / keys;
                    client.putAsync(reapKey(i), value, WriteOptions.DEFAULT.expiringAt(expiresAt)).whenComplete((v, e) -> {
                        if (e != null && failed.getAndIncrement() == 0) {
                            say("put failed: %s", e);
                        }
                        done.incrementAndGet();
                        window.release();
                    });
                }
                window.acquireUninterruptibly(loadInflight);
            }, "bulk-load-" + c);
            t.start();
            threads.add(t);
        }
        long start = System.currentTimeMillis();
        long reported = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(200);
            long d = done.get();
            if (d - reported >= 200_000) {
                reported = d - d % 200_000;
                say("  %,d keys after %.1f s", d, (System.currentTimeMillis() - start) / 1e3);
            }
        }
        for (KvClient c : clients) {
            c.close();
        }
        if (failed.get() > 0) {
            say("INVALID: %,d puts of the load failed", failed.get());
            System.exit(3);
        }
    }

    static byte[] reapKey(int i) {
        return String.format(Locale.ROOT, "reap:%09d", i).getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ steady load

    /** An open-loop SET load at {@link #rate}: request k is due at start + k / rate. */
    static final class Steady implements Runnable {
        final KvClient client;
        final byte[] value;
        /** Per request: when it was sent (ns since {@link #baseNanos}) and its latency in us (-1 running, -2 failed). */
        final long[] sentAt;
        final int[] latencyUs;
        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Semaphore inFlight = new Semaphore(maxInflight);
        volatile int issued;
        volatile boolean stop;
        /** Requests that waited for the in-flight bound. */
        volatile long throttled;
        final long baseNanos = System.nanoTime();
        final long baseMillis = System.currentTimeMillis();

        Steady(KvClientFactory.Config config, byte[] value, int capacity) {
            this.client = EarthwoClients.connectToOneNode(config);
            this.value = value;
            this.sentAt = new long[capacity];
            this.latencyUs = new int[capacity];
        }

        @Override
        public void run() {
            SplittableRandom random = new SplittableRandom(42);
            double nanosPerRequest = 1e9 / rate;
            long start = System.nanoTime();
            int k = 0;
            long waited = 0;
            while (!stop && k < sentAt.length) {
                long now = System.nanoTime();
                long due = (long) ((now - start) / nanosPerRequest) + 1;
                while (k < due && k < sentAt.length && !stop) {
                    if (!inFlight.tryAcquire()) {
                        waited++;
                        inFlight.acquireUninterruptibly();
                    }
                    byte[] key = String.format(Locale.ROOT, "load:%012d", random.nextInt(1_000_000))
                            .getBytes(StandardCharsets.US_ASCII);
                    int slot = k++;
                    long sent = System.nanoTime();
                    sentAt[slot] = sent - baseNanos;
                    latencyUs[slot] = -1;
                    client.putAsync(key, value, WriteOptions.DEFAULT).whenComplete((v, e) -> {
                        long us = (System.nanoTime() - sent) / 1000;
                        latencyUs[slot] = e != null ? -2 : (int) Math.min(Integer.MAX_VALUE, us);
                        if (e != null) {
                            failed.incrementAndGet();
                        }
                        completed.incrementAndGet();
                        inFlight.release();
                    });
                    issued = k;
                }
                throttled = waited;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        void awaitInFlight() {
            inFlight.acquireUninterruptibly(maxInflight);
            inFlight.release(maxInflight);
        }

        /** Epoch ms at which request k was sent. */
        long sentMillis(int k) {
            return baseMillis + sentAt[k] / 1_000_000;
        }
    }

    // ------------------------------------------------------------------ sampling

    record Sample(long at, long statusMicros, long indexEntries, String unreaped, long reaped, long failures,
                  String lagP50, String lagP99, String inflight, long nodeCpuMicros, long setsCompleted,
                  long machineBusyMicros, long harnessCpuMicros) {

        /** CPU of every other process on the machine (busy time not the node's nor this harness's). */
        long otherMicros() {
            return machineBusyMicros - nodeCpuMicros - harnessCpuMicros;
        }
    }

    static Sample sample(Steady steady) throws IOException {
        long t = System.nanoTime();
        Map<String, String> s = status();
        long statusMicros = (System.nanoTime() - t) / 1000;
        return new Sample(System.currentTimeMillis(), statusMicros, num(s, "storage.expiry.index.entries"),
                s.getOrDefault("ttl.expired.unreaped", "?"), num(s, "ttl.reaped"), num(s, "ttl.reap.failures"),
                s.getOrDefault("ttl.reaper.lag.p50.ms", "?"), s.getOrDefault("ttl.reaper.lag.p99.ms", "?"),
                s.getOrDefault("ttl.reaper.inflight", "?"), nodeCpuMicros(), steady.completed.get(), machineBusyMicros(),
                selfCpuMicros());
    }

    static long num(Map<String, String> s, String k) {
        try {
            return Long.parseLong(s.getOrDefault(k, "-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Socket statusSocket;

    /** The node's STATUS facts, over a connection of their own kept open between samples. */
    static Map<String, String> status() throws IOException {
        if (statusSocket == null) {
            String[] hp = address.split(":");
            statusSocket = new Socket();
            statusSocket.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5000);
            statusSocket.setSoTimeout(30_000);
            statusSocket.setTcpNoDelay(true);
        }
        OutputStream out = statusSocket.getOutputStream();
        out.write(Request.status(1).encode());
        out.flush();
        DataInputStream in = new DataInputStream(statusSocket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        Response r = Response.decode(ByteBuffer.wrap(body), Opcode.STATUS);
        if (r.isError()) {
            throw r.toException();
        }
        return r.statusMap();
    }

    /** User + system CPU of the node process so far, in microseconds. */
    static long nodeCpuMicros() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + nodePid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
        return ticks * 1_000_000L / clkTck;
    }

    /** Busy CPU time of the whole machine so far (all cores; /proc/stat less idle and iowait), in us. */
    static long machineBusyMicros() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i <= 8 && i < f.length; i++) { // user nice system idle iowait irq softirq steal
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy * 1_000_000L / clkTck;
    }

    static long selfCpuMicros() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1000;
    }

    // ------------------------------------------------------------------ report

    static void report(List<Sample> samples, Steady steady, long t0, long empty, long loadEnd) {
        long loadFrom = t0 - leadS * 1000;
        long end = samples.get(samples.size() - 1).at;
        say("");
        say("# timeline: per second from T0 - %d s: SET completions/s, SET p99 ms (sent in that second), index entries,"
                + " expired unreaped, reaped, lag p50/p99 ms, CPU %% of one core of the node, this harness and all other"
                + " processes, STATUS ms (worst)", leadS);
        say("# t-T0_s set_rps set_p99_ms index_entries unreaped reaped lag_p50 lag_p99 node_cpu harness_cpu other_cpu status_ms");
        for (long sec = loadFrom; sec < end; sec += 1000) {
            long a = sec;
            long b = sec + 1000;
            Sample first = at(samples, a);
            Sample lastIn = at(samples, b);
            if (first == null || lastIn == null || lastIn.at <= first.at) {
                continue;
            }
            long statusWorst = samples.stream().filter(s -> s.at > a && s.at <= b).mapToLong(Sample::statusMicros).max().orElse(0);
            double secs = (lastIn.at - first.at) / 1e3;
            say("%+6.1f %8.0f %7.2f %9d %9s %9d %6s %6s %5.0f %5.0f %5.0f %6.1f", (a - t0) / 1e3,
                    (lastIn.setsCompleted - first.setsCompleted) / secs, pct(steady, a, b, 99) / 1e3, lastIn.indexEntries,
                    lastIn.unreaped, lastIn.reaped, lastIn.lagP50, lastIn.lagP99,
                    (lastIn.nodeCpuMicros - first.nodeCpuMicros) / 1e4 / secs,
                    (lastIn.harnessCpuMicros - first.harnessCpuMicros) / 1e4 / secs,
                    (lastIn.otherMicros() - first.otherMicros()) / 1e4 / secs, statusWorst / 1e3);
        }
        say("");
        long reapEnd = empty > 0 ? empty : end;
        phase("before T0 (steady load alone)", steady, samples, loadFrom + 1000, t0);
        phase("reaping [T0, index empty]", steady, samples, t0, reapEnd);
        if (empty > 0) {
            phase("after (index empty)", steady, samples, empty, end);
        }
        long worstP99 = -1;
        for (Sample s : samples) {
            if (s.at >= t0) {
                try {
                    worstP99 = Math.max(worstP99, Long.parseLong(s.lagP99));
                } catch (NumberFormatException ignored) {
                    // n/a before the first reap
                }
            }
        }
        Sample last = samples.get(samples.size() - 1);
        say("reaper lag ms: worst sampled p99 %d; final p50 %s, p99 %s (the last 10,000 reaps)", worstP99, last.lagP50, last.lagP99);
        say("reaped %,d, reap failures %d; index entries at the end %d", last.reaped, last.failures, last.indexEntries);
        if (empty > 0) {
            say("index empty at T0 + %.2f s: %.2f s after the last key expired (T0 + %.1f s); sampled every %d ms",
                    (empty - t0) / 1e3, (empty - t0 - windowMs) / 1e3, windowMs / 1e3, sampleMs);
            say("reap rate over [T0, empty]: %,.0f keys/s", last.reaped * 1e3 / (empty - t0));
        } else {
            say("INDEX NOT EMPTY after %d s", maxS);
        }
        say("steady SETs: %,d sent, %,d failed, %,d waited for the in-flight bound of %d", steady.issued,
                steady.failed.get(), steady.throttled, maxInflight);
        long statusWorst = samples.stream().mapToLong(Sample::statusMicros).max().orElse(0);
        double statusMean = samples.stream().mapToLong(Sample::statusMicros).average().orElse(0);
        say("STATUS round trip: mean %.1f ms, worst %.1f ms (%d samples); harness CPU %.1f s in all",
                statusMean / 1e3, statusWorst / 1e3, samples.size(), selfCpuMicros() / 1e6);
    }

    /** The last sample taken at or before {@code t}, else the first after it. */
    static Sample at(List<Sample> samples, long t) {
        Sample best = null;
        for (Sample s : samples) {
            if (s.at <= t) {
                best = s;
            } else {
                return best != null ? best : s;
            }
        }
        return best;
    }

    static void phase(String name, Steady steady, List<Sample> samples, long from, long to) {
        Sample a = at(samples, from);
        Sample b = at(samples, to);
        double secs = (b.at - a.at) / 1e3;
        int[] lat = latencies(steady, from, to);
        double cores = secs > 0 ? (b.nodeCpuMicros - a.nodeCpuMicros) / 1e6 / secs : 0;
        double harness = secs > 0 ? (b.harnessCpuMicros - a.harnessCpuMicros) / 1e6 / secs : 0;
        double other = secs > 0 ? (b.otherMicros() - a.otherMicros()) / 1e6 / secs : 0;
        say("%s: %.1f s, SET %,.0f/s (completed), p50 %.2f ms, p99 %.2f ms, max %.1f ms over %,d SETs sent;"
                        + " CPU in cores: node %.2f, harness %.2f, other processes %.2f; reaped %,d",
                name, secs, (b.setsCompleted - a.setsCompleted) / Math.max(secs, 1e-9), p(lat, 50) / 1e3, p(lat, 99) / 1e3,
                lat.length == 0 ? 0 : lat[lat.length - 1] / 1e3, lat.length, cores, harness, other, b.reaped - a.reaped);
    }

    /** Latencies (us, sorted) of the steady SETs sent in [from, to), failed ones as their time to fail unknown: left out. */
    static int[] latencies(Steady steady, long from, long to) {
        int n = steady.issued;
        int[] out = new int[n];
        int m = 0;
        for (int k = 0; k < n; k++) {
            long t = steady.sentMillis(k);
            if (t >= from && t < to && steady.latencyUs[k] >= 0) {
                out[m++] = steady.latencyUs[k];
            }
        }
        int[] r = Arrays.copyOf(out, m);
        Arrays.sort(r);
        return r;
    }

    static long pct(Steady steady, long from, long to, double q) {
        return p(latencies(steady, from, to), q);
    }

    static long p(int[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q / 100 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    // ------------------------------------------------------------------ helpers

    static void sleepUntil(long epochMillis) throws InterruptedException {
        long d = epochMillis - System.currentTimeMillis();
        if (d > 0) {
            Thread.sleep(d);
        }
    }

    static String iso(long epochMillis) {
        return java.time.Instant.ofEpochMilli(epochMillis).toString();
    }

    static synchronized void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}

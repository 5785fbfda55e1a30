import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.client.ChannelSubscription;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.client.EarthwoClients;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What channels (publish/subscribe) cost, against a running Earthwo node or cluster, or against a
 * redis-server with the same workload (channels-cost.sh starts them and runs this once per target):
 *
 * <pre>
 * ChannelBench earthwo LABEL PUB_SEED SUB_SEEDS NODE_PIDS [key=value ...]
 * ChannelBench redis   LABEL HOST:PORT -        REDIS_PID [key=value ...]
 * </pre>
 *
 * Publishers (p) and subscribers (s) are connections of this one JVM: p publishers (an Earthwo
 * client each, through PUB_SEED; or a socket each sending pipelined {@code PUBLISH}) publish n
 * messages of size bytes on one channel, at most inflight unanswered each; s subscribers of that
 * channel (an Earthwo client each, subscriber i through the i-th of SUB_SEEDS round robin; or a
 * socket each after {@code SUBSCRIBE}) receive every message. A message carries its send time
 * (System.nanoTime) in its first 8 bytes, so latency is receive time minus send time, publish to
 * delivery to the subscriber's code. Every subscription is ready before the first publish. First
 * a warm-up of warmup messages the same way (not measured), then the n measured messages.
 *
 * <p>Prints one line: published/s (publishes answered, over first publish to last answer), delivered/s (every
 * subscriber's messages, summed, over first publish to last delivery), latency p50/p99/p99.9/max
 * over all deliveries, the CPU (user + system) of the server processes NODE_PIDS (comma
 * separated, summed) per delivered message and in cores, the CPU of this JVM in cores, and
 * duplicates, gaps, publishes some node did not take, and failures. When a subscriber gets
 * nothing for stall seconds, or one fails (an Earthwo subscription cut off as SLOW_CONSUMER, a
 * Redis subscriber disconnected at its client-output-buffer-limit), the line says INCOMPLETE with
 * what arrived and why, and the exit code is 1.
 *
 * <p>Keys (defaults): n=500000 warmup=200000 p=4 s=4 inflight=64 size=100 buffer=0 (an Earthwo
 * subscription's buffer in messages; 0: the node's default) stall=15 hz=100 (CLK_TCK)
 * channel=bench.channel.
 *
 * <p>Run as a single-file source program with the distribution's client on the class path, e.g.
 * {@code java -cp DIST/bundle/earthwo.api.jar:DIST/bundle/earthwo.client.jar:DIST/bundle/slf4j-api-1.7.36.jar
 * integration-tests/benchmarks/ChannelBench.java earthwo one 127.0.0.1:7390 127.0.0.1:7390 PID n=20000}.
 */
public final class ChannelBench {

    private static final Map<String, String> DEFAULTS = Map.of("n", "500000", "warmup", "200000", "p", "4",
            "s", "4", "inflight", "64", "size", "100", "buffer", "0", "stall", "15", "hz", "100",
            "channel", "bench.channel");

    /** Payload layout: send nanoTime (8 bytes), phase (4), index within the phase (4), then filler. */
    private static final int HEADER = 16;

    private final Map<String, String> opts;
    private final int n;
    private final int warmup;
    private final int publishers;
    private final int subscribers;
    private final int inflight;
    private final int size;
    private final String channel;
    /** What a subscriber found wrong (a closed subscription, a lost connection); the first one. */
    final AtomicReference<String> failure = new AtomicReference<>();
    final AtomicLong gaps = new AtomicLong();
    volatile Phase phase;

    ChannelBench(Map<String, String> opts) {
        this.opts = opts;
        this.n = Integer.parseInt(opts.get("n"));
        this.warmup = Integer.parseInt(opts.get("warmup"));
        this.publishers = Integer.parseInt(opts.get("p"));
        this.subscribers = Integer.parseInt(opts.get("s"));
        this.inflight = Integer.parseInt(opts.get("inflight"));
        this.size = Math.max(HEADER, Integer.parseInt(opts.get("size")));
        this.channel = opts.get("channel");
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: ChannelBench earthwo|redis LABEL PUB SUBS PIDS [key=value ...] (see the comment)");
            System.exit(2);
        }
        Map<String, String> opts = new HashMap<>(DEFAULTS);
        for (int i = 5; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2 || !DEFAULTS.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown setting " + args[i] + "; known: " + DEFAULTS.keySet());
            }
            opts.put(kv[0], kv[1]);
        }
        ChannelBench bench = new ChannelBench(opts);
        long[] pids = Arrays.stream(args[4].split(",")).mapToLong(Long::parseLong).toArray();
        Target target = args[0].equals("redis") ? bench.new Redis(args[2])
                : bench.new Earthwo(args[2], args[3].split(","));
        boolean complete;
        try {
            complete = bench.run(args[1], target, pids);
        } finally {
            target.close();
        }
        System.exit(complete ? 0 : 1);
    }

    // ---------------------------------------------------------------- the run

    /** What the subscribers of one phase received, each subscriber's arrays written by its own thread only. */
    final class Phase {
        final int id;
        final int count;
        final BitSet[] seen;
        final long[][] latency;
        final int[] received;
        final long[] last;
        /** Per subscriber: messages received so far; written after the arrays, read by the main thread. */
        final AtomicIntegerArray progress;
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong strays = new AtomicLong();
        /** Publishes answered (taken by the server). */
        final AtomicLong answered = new AtomicLong();

        Phase(int id, int count) {
            this.id = id;
            this.count = count;
            this.seen = new BitSet[subscribers];
            this.latency = new long[subscribers][count];
            this.received = new int[subscribers];
            this.last = new long[subscribers];
            this.progress = new AtomicIntegerArray(subscribers);
            for (int i = 0; i < subscribers; i++) {
                seen[i] = new BitSet(count);
            }
        }

        void receive(int sub, byte[] payload, long now) {
            ByteBuffer b = ByteBuffer.wrap(payload);
            int index = b.getInt(12);
            if (b.getInt(8) != id || index < 0 || index >= count) {
                strays.incrementAndGet();
                return;
            }
            if (seen[sub].get(index)) {
                duplicates.incrementAndGet();
                return;
            }
            seen[sub].set(index);
            latency[sub][received[sub]++] = now - b.getLong(0);
            last[sub] = now;
            progress.set(sub, received[sub]);
        }

        long total() {
            long t = 0;
            for (int i = 0; i < subscribers; i++) {
                t += progress.get(i);
            }
            return t;
        }
    }

    /** Called by subscriber {@code sub}'s own thread for every message. */
    void received(int sub, byte[] payload) {
        long now = System.nanoTime();
        Phase p = phase;
        if (p != null && payload.length >= HEADER) {
            p.receive(sub, payload, now);
        }
    }

    void fail(String why) {
        failure.compareAndSet(null, why);
    }

    byte[] message(int phaseId, int index) {
        byte[] m = new byte[size];
        Arrays.fill(m, HEADER, size, (byte) 'x');
        ByteBuffer.wrap(m).putLong(0, System.nanoTime()).putInt(8, phaseId).putInt(12, index);
        return m;
    }

    private boolean run(String label, Target target, long[] pids) throws Exception {
        target.subscribe();
        if (warmup > 0) {
            Result w = phase(target, 1, warmup, pids);
            if (!w.complete) {
                System.out.println(label + " INCOMPLETE in the warm-up: " + w.text);
                return false;
            }
        }
        Result r = phase(target, 2, n, pids);
        System.out.println(label + (r.complete ? " " : " INCOMPLETE ") + r.text);
        return r.complete;
    }

    record Result(boolean complete, String text) {
    }

    private Result phase(Target target, int id, int count, long[] pids) throws Exception {
        Phase p = new Phase(id, count);
        phase = p;
        long ticks0 = ticks(pids);
        long self0 = ticks(new long[] {ProcessHandle.current().pid()});
        long gaps0 = gaps.get();
        CountDownLatch go = new CountDownLatch(1);
        long[] lastAnswer = new long[publishers];
        long[] notTaken = new long[publishers];
        List<Thread> threads = new ArrayList<>();
        for (int j = 0; j < publishers; j++) {
            int pub = j;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    target.publish(pub, p, lastAnswer, notTaken);
                } catch (Exception e) {
                    fail("publisher " + pub + ": " + e);
                }
            }, "publisher-" + j);
            t.start();
            threads.add(t);
        }
        long t0 = System.nanoTime();
        go.countDown();

        long stallNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(opts.get("stall")));
        long seen = -1;
        long changed = System.nanoTime();
        boolean complete = true;
        while (true) {
            long total = p.total();
            if (total == (long) count * subscribers && threads.stream().noneMatch(Thread::isAlive)) {
                break;
            }
            long now = System.nanoTime();
            if (total != seen) {
                seen = total;
                changed = now;
            } else if (now - changed > stallNanos || (failure.get() != null && now - changed > 1_000_000_000L)) {
                complete = false;
                break;
            }
            Thread.sleep(2);
        }
        long ticks = ticks(pids) - ticks0;
        long selfTicks = ticks(new long[] {ProcessHandle.current().pid()}) - self0;
        for (Thread t : threads) {
            t.join(complete ? 0 : 1_000);
        }
        phase = null;

        int[] got = perSubscriber(p);
        long delivered = Arrays.stream(got).asLongStream().sum();
        long lastDelivery = t0;
        for (int i = 0; i < subscribers; i++) {
            lastDelivery = Math.max(lastDelivery, p.last[i]);
        }
        long lastAck = t0;
        for (long a : lastAnswer) {
            lastAck = Math.max(lastAck, a);
        }
        long[] all = new long[(int) delivered];
        for (int i = 0, at = 0; i < subscribers; at += got[i], i++) {
            System.arraycopy(p.latency[i], 0, all, at, got[i]);
        }
        Arrays.sort(all);
        double hz = Double.parseDouble(opts.get("hz"));
        double wall = (lastDelivery - t0) / 1e9;
        double serverSeconds = ticks / hz;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "msgs=%d size=%d p=%d s=%d inflight=%d published_per_s=%.0f"
                        + " delivered_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
                        + " server_us_per_delivered=%.2f server_cores=%.2f driver_cores=%.2f",
                count, size, publishers, subscribers, inflight, p.answered.get() / ((lastAck - t0) / 1e9),
                delivered / wall, pct(all, 0.50), pct(all, 0.99), pct(all, 0.999), pct(all, 1.0),
                delivered == 0 ? 0 : serverSeconds * 1e6 / delivered, serverSeconds / wall, selfTicks / hz / wall));
        out.append(" duplicates=").append(p.duplicates.get()).append(" gaps=").append(gaps.get() - gaps0);
        long notTakenTotal = Arrays.stream(notTaken).sum();
        out.append(" not_taken=").append(notTakenTotal);
        if (p.strays.get() > 0) {
            out.append(" strays=").append(p.strays.get());
        }
        if (!complete) {
            out.append(" delivered=").append(delivered).append('/').append((long) count * subscribers)
                    .append(" per_subscriber=").append(Arrays.toString(got));
        }
        if (failure.get() != null) {
            out.append(" failure=\"").append(failure.get()).append('"');
        }
        return new Result(complete && failure.get() == null, out.toString());
    }

    private int[] perSubscriber(Phase p) {
        int[] a = new int[subscribers];
        for (int i = 0; i < subscribers; i++) {
            a[i] = p.progress.get(i);
        }
        return a;
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.floor(sorted.length * q));
        return sorted[i] / 1e6;
    }

    /** CPU ticks (user + system) of the processes, summed. */
    private static long ticks(long[] pids) throws IOException {
        long t = 0;
        for (long pid : pids) {
            String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst(".*\\) ", "").split(" ");
            t += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
        return t;
    }

    // ---------------------------------------------------------------- targets

    interface Target extends AutoCloseable {
        /** Opens every subscription; returns once each is ready to receive. */
        void subscribe() throws Exception;

        /**
         * Publisher {@code pub} sends its share of the phase's messages (indexes pub, pub + p, ...),
         * at most inflight unanswered, and returns when all are answered; notes the time of its
         * last answer and how many some node did not take.
         */
        void publish(int pub, Phase phase, long[] lastAnswer, long[] notTaken) throws Exception;

        @Override
        void close() throws Exception;
    }

    /** Through the Java client. */
    final class Earthwo implements Target {
        private final List<KvClient> pubClients = new ArrayList<>();
        private final List<KvClient> subClients = new ArrayList<>();
        private final List<ChannelSubscription> subs = new ArrayList<>();
        private final String[] subSeeds;

        Earthwo(String pubSeed, String[] subSeeds) {
            this.subSeeds = subSeeds;
            for (int j = 0; j < publishers; j++) {
                pubClients.add(connect(pubSeed));
            }
        }

        private KvClient connect(String seed) {
            return EarthwoClients.connect(KvClientFactory.Config.seeds(seed)
                    .withRequestTimeout(Duration.ofSeconds(30)));
        }

        @Override
        public void subscribe() throws Exception {
            int buffer = Integer.parseInt(opts.get("buffer"));
            SubscribeRequest request = SubscribeRequest.ofChannels(channel);
            if (buffer > 0) {
                request = request.withBufferSize(buffer);
            }
            for (int i = 0; i < subscribers; i++) {
                int sub = i;
                KvClient c = connect(subSeeds[i % subSeeds.length]);
                subClients.add(c);
                subs.add(c.subscribe(request, new ChannelListener() {
                    @Override
                    public void onMessage(ChannelMessage m) {
                        received(sub, m.payload());
                    }

                    @Override
                    public void onGap(Gap gap) {
                        gaps.addAndGet(gap.count());
                    }

                    @Override
                    public void onClosed(earthwo.api.EarthwoException reason) {
                        if (reason != null) {
                            fail("subscriber " + sub + " closed: " + reason.getMessage());
                        }
                    }
                }));
            }
            for (ChannelSubscription s : subs) {
                s.ready().get(30, TimeUnit.SECONDS);
            }
        }

        @Override
        public void publish(int pub, Phase phase, long[] lastAnswer, long[] notTaken) throws Exception {
            KvClient c = pubClients.get(pub);
            Semaphore window = new Semaphore(inflight);
            AtomicLong last = new AtomicLong();
            AtomicLong missed = new AtomicLong();
            for (int i = pub; i < phase.count && failure.get() == null; i += publishers) {
                window.acquire();
                c.publishAsync(channel, message(phase.id, i)).whenComplete((r, e) -> {
                    last.accumulateAndGet(System.nanoTime(), Math::max);
                    if (e != null) {
                        fail("publish: " + e);
                    } else {
                        phase.answered.incrementAndGet();
                        if (r.failedNodes() > 0) {
                            missed.incrementAndGet();
                        }
                    }
                    window.release();
                });
            }
            window.acquire(inflight);
            lastAnswer[pub] = last.get();
            notTaken[pub] = missed.get();
        }

        @Override
        public void close() {
            subs.forEach(ChannelSubscription::close);
            subClients.forEach(KvClient::close);
            pubClients.forEach(KvClient::close);
        }
    }

    /** RESP over plain sockets: pipelined PUBLISH, SUBSCRIBE with its pushed message arrays. */
    final class Redis implements Target {
        private final InetSocketAddress address;
        private final List<Socket> sockets = new ArrayList<>();
        private final byte[] publishHead;
        private volatile boolean closing;

        Redis(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            this.address = new InetSocketAddress(hostPort.substring(0, colon),
                    Integer.parseInt(hostPort.substring(colon + 1)));
            byte[] ch = channel.getBytes(StandardCharsets.UTF_8);
            this.publishHead = ("*3\r\n$7\r\nPUBLISH\r\n$" + ch.length + "\r\n" + channel + "\r\n$" + size + "\r\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        private synchronized Socket open() throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(address, 5_000);
            sockets.add(s);
            return s;
        }

        @Override
        public void subscribe() throws Exception {
            byte[] ch = channel.getBytes(StandardCharsets.UTF_8);
            CountDownLatch ready = new CountDownLatch(subscribers);
            for (int i = 0; i < subscribers; i++) {
                int sub = i;
                Socket s = open();
                OutputStream out = s.getOutputStream();
                out.write(("*2\r\n$9\r\nSUBSCRIBE\r\n$" + ch.length + "\r\n" + channel + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread t = new Thread(() -> {
                    Resp in = null;
                    try {
                        in = new Resp(s.getInputStream());
                        while (true) {
                            in.expect('*');
                            long elements = in.number();
                            Object kind = in.element();
                            Object name = in.element();
                            Object last = in.element();
                            if (elements != 3) {
                                throw new IOException("a push of " + elements + " elements");
                            }
                            if (kind instanceof byte[] k && Arrays.equals(k, MESSAGE) && last instanceof byte[] payload) {
                                received(sub, payload);
                            } else if (kind instanceof byte[] k && Arrays.equals(k, SUBSCRIBE)) {
                                ready.countDown();
                            }
                        }
                    } catch (IOException e) {
                        if (!closing) {
                            fail("redis subscriber " + sub + ": " + (e instanceof EOFException
                                    ? "connection closed by the server (client-output-buffer-limit pubsub?)" : e.toString()));
                        }
                    }
                }, "redis-subscriber-" + i);
                t.setDaemon(true);
                t.start();
            }
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server did not confirm every SUBSCRIBE");
            }
        }

        @Override
        public void publish(int pub, Phase phase, long[] lastAnswer, long[] notTaken) throws Exception {
            Socket s = open();
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            Semaphore window = new Semaphore(inflight);
            AtomicLong last = new AtomicLong();
            AtomicLong missed = new AtomicLong();
            Thread reader = new Thread(() -> {
                try {
                    Resp in = new Resp(s.getInputStream());
                    while (true) {
                        Object answer = in.element();
                        if (!(answer instanceof Long receivers)) {
                            throw new IOException("PUBLISH answered " + answer);
                        }
                        if (receivers < subscribers) {
                            missed.incrementAndGet();
                        }
                        phase.answered.incrementAndGet();
                        last.set(System.nanoTime());
                        window.release();
                    }
                } catch (IOException e) {
                    if (!s.isClosed()) {
                        fail("redis publisher " + pub + ": " + e);
                    }
                    window.release(inflight); // the writer does not wait for answers that will not come
                }
            }, "redis-publisher-" + pub + "-answers");
            reader.setDaemon(true);
            reader.start();
            for (int i = pub; i < phase.count && failure.get() == null; i += publishers) {
                if (!window.tryAcquire()) {
                    out.flush(); // what is written goes out once no more may go: pipelining up to inflight
                    window.acquire();
                }
                out.write(publishHead);
                out.write(message(phase.id, i));
                out.write(CRLF);
            }
            out.flush();
            window.acquire(inflight); // every PUBLISH answered
            lastAnswer[pub] = last.get();
            notTaken[pub] = missed.get();
            s.close();
            reader.join();
        }

        @Override
        public synchronized void close() throws IOException {
            closing = true;
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SUBSCRIBE = "subscribe".getBytes(StandardCharsets.UTF_8);

    /** Reads RESP2 replies and pushes: integers, bulk strings, errors; arrays by their header. */
    static final class Resp {
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int limit;

        Resp(InputStream in) {
            this.in = in;
        }

        private int read() throws IOException {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    throw new EOFException();
                }
            }
            return buf[pos++];
        }

        void expect(char type) throws IOException {
            int c = read();
            if (c != type) {
                throw new IOException("expected '" + type + "', got '" + (char) c + "'");
            }
        }

        /** A decimal number up to CRLF. */
        long number() throws IOException {
            long v = 0;
            boolean negative = false;
            int c = read();
            if (c == '-') {
                negative = true;
                c = read();
            }
            while (c != '\r') {
                v = v * 10 + (c - '0');
                c = read();
            }
            read(); // \n
            return negative ? -v : v;
        }

        /** An integer (Long) or a bulk string (byte[], null for nil); an error throws. */
        Object element() throws IOException {
            int type = read();
            switch (type) {
                case ':':
                    return number();
                case '$': {
                    int len = (int) number();
                    if (len < 0) {
                        return null;
                    }
                    byte[] b = new byte[len];
                    for (int i = 0; i < len; ) {
                        if (pos == limit) {
                            read();
                            pos--;
                        }
                        int k = Math.min(len - i, limit - pos);
                        System.arraycopy(buf, pos, b, i, k);
                        pos += k;
                        i += k;
                    }
                    read();
                    read(); // CRLF
                    return b;
                }
                case '-': {
                    StringBuilder sb = new StringBuilder();
                    for (int c = read(); c != '\r'; c = read()) {
                        sb.append((char) c);
                    }
                    read();
                    throw new IOException("redis error: " + sb);
                }
                default:
                    throw new IOException("unexpected RESP type '" + (char) type + "'");
            }
        }
    }
}

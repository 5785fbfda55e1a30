package earthwo.cli.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.Segments;
import earthwo.api.client.KvClientFactory;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.protocol.Addresses;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Opcode;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The default load generator of {@code earthwo bench}: like redis-benchmark, one thread (the
 * caller's) drives every connection through one {@link Selector} with non-blocking sockets, so
 * that the benchmark itself takes little of the CPU the node under test shares with it.
 *
 * <ul>
 *   <li><b>Connections.</b> Before the first test the first seed that answers (AUTH first when a
 *       secret is configured) is asked for its segment map (MAP). Each of the {@code -c} clients
 *       then opens one connection to every node that masters a segment (one node: one connection
 *       per client), each authenticated with AUTH before any data request, as the Java client
 *       does. Connecting is blocking and not timed.</li>
 *   <li><b>Routing.</b> With a map of more than one node, each key goes to the connection to its
 *       segment's master ({@code Segments.segmentOf}); segments without a known master go to the
 *       seed. A node that does not hold the key's segment forwards the request itself, so a map
 *       that changes during the run costs latency, not errors.</li>
 *   <li><b>Pipelining.</b> As in redis-benchmark, each client sends {@code -P} requests (over
 *       its connections: on a single node, one connection) and sends the next {@code -P} once all
 *       of them were answered, until {@code -n} requests of the test were issued. With
 *       {@code --window} it instead keeps {@code -P} in flight: a new request is sent as soon as an
 *       answer frees a place (more writes per request, a different load from redis-benchmark's).
 *       The requests queued during one pass over the ready sockets leave with one write per
 *       connection.</li>
 *   <li><b>Codec.</b> Requests are encoded with {@link Request#encode()}, answers decoded with
 *       {@link Response#decode}; request ids are per-connection slots {@code 0..P-1}, so answers
 *       may arrive in any order.</li>
 *   <li><b>Latency</b> of a request: from just before its frame is queued for writing to when the
 *       socket read that brought its answer returned (one clock reading per read).</li>
 *   <li><b>Errors.</b> An error answer counts as a failed request (no retry, as in
 *       redis-benchmark). A connection that fails, or has requests in flight and receives nothing
 *       for the request timeout ({@code --timeout}), is closed: its requests in flight and every
 *       later request routed to it fail.</li>
 * </ul>
 */
final class NioBenchDriver implements Bench.Driver {

    private static final System.Logger LOG = System.getLogger(NioBenchDriver.class.getName());
    private static final int BUFFER = 64 * 1024;
    private static final long SELECT_MILLIS = 100;
    /** When the current test started (System.nanoTime), for {@code --rate}. */
    private long startNanos;
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final byte[] FIXED_KEY = "key:__rand_int__".getBytes(StandardCharsets.US_ASCII);

    private final BenchOptions options;
    private final KvClientFactory.Config config;
    private final int timeoutMillis;
    private final long timeoutNanos;
    private final SplittableRandom random = new SplittableRandom();

    private Selector selector;
    private final List<Link> links = new ArrayList<>();
    private Client[] clients = new Client[0];
    /** Addresses the clients connect to; index = position in each client's links. */
    private String[] targets;
    /** Per segment, the index into {@link #targets} of its master; null when there is one target. */
    private int[] segmentTarget;

    // ---- the running test (touched by the driving thread only)
    private Opcode opcode;
    private byte[] value;
    /** Expiry the SETs issued now carry ({@code --ttl}): read once per pass, else {@link Record#NEVER}. */
    private long expiresAt = Record.NEVER;
    private int[] latencies;
    private int total;
    private int issued;
    private int completed;
    private long errors;
    private EarthwoException firstError;
    private final ArrayList<Client> dirtyClients = new ArrayList<>();
    private final ArrayList<Link> dirtyLinks = new ArrayList<>();

    NioBenchDriver(BenchOptions options, KvClientFactory.Config config) {
        this.options = options;
        this.config = config;
        long t = Math.max(1, config.requestTimeout().toMillis());
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, t);
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(t);
    }

    /** The addresses the clients are connected to (the seed, or each segment master). */
    List<String> targets() {
        return targets == null ? List.of() : List.of(targets);
    }

    // ---------------------------------------------------------------- connections

    @Override
    public void open() {
        if (config.seeds().isEmpty()) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "no seed address given");
        }
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new EarthwoException(ErrorCode.INTERNAL, "cannot open a selector: " + e.getMessage(), e);
        }
        String home = null;
        SegmentMap map = null;
        List<String> failures = new ArrayList<>();
        for (String seed : config.seeds()) {
            SocketChannel ch = null;
            try {
                ch = connect(seed);
                authenticate(ch, seed);
                home = seed;
                Response r = call(ch, seed, Request.map(1));
                if (r.isError()) {
                    LOG.log(System.Logger.Level.WARNING, "no segment map from " + seed + " (" + r.toException().getMessage()
                            + "); sending every request to it");
                } else {
                    map = r.segmentMap();
                }
                break;
            } catch (EarthwoException e) {
                if (e.code() == ErrorCode.AUTH) {
                    throw e;
                }
                if (home != null) {
                    break; // reached, but MAP failed: no routing
                }
                failures.add(String.valueOf(e.getMessage()));
            } finally {
                closeQuietly(ch);
            }
        }
        if (home == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "no seed answered: " + String.join("; ", failures));
        }
        plan(home, map);
        clients = new Client[options.clients];
        for (int i = 0; i < clients.length; i++) {
            Client c = new Client(targets.length);
            clients[i] = c;
            for (int t = 0; t < targets.length; t++) {
                c.links[t] = openLink(targets[t], c);
            }
        }
    }

    /** Decides the targets: the seed alone, or every segment master of a map with several nodes. */
    private void plan(String home, SegmentMap map) {
        if (map == null || map.segmentCount() <= 0 || map.nodes().size() <= 1) {
            targets = new String[]{home};
            segmentTarget = null;
            return;
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        int[] st = new int[map.segmentCount()];
        for (int s = 0; s < st.length; s++) {
            int master = map.master(s);
            NodeInfo node = master < 0 ? null : map.nodes().get(master);
            String addr = node == null ? home : node.address();
            st[s] = index.computeIfAbsent(addr, a -> index.size());
        }
        targets = index.keySet().toArray(new String[0]);
        segmentTarget = targets.length == 1 ? null : st;
    }

    private Link openLink(String address, Client client) {
        SocketChannel ch = connect(address);
        try {
            authenticate(ch, address);
            ch.configureBlocking(false);
            Link l = new Link(address, ch, client, options.pipeline);
            l.key = ch.register(selector, SelectionKey.OP_READ, l);
            links.add(l);
            return l;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            if (e instanceof EarthwoException ee) {
                throw ee;
            }
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "cannot set up the connection to " + address + ": " + e, e);
        }
    }

    /** A blocking, connected channel with TCP_NODELAY and a read timeout for the set-up exchange. */
    private SocketChannel connect(String address) {
        InetSocketAddress target = Addresses.parse(address);
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(target, timeoutMillis);
            ch.socket().setSoTimeout(timeoutMillis);
            return ch;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "cannot connect to " + address + ": " + e.getMessage(), e);
        }
    }

    /** AUTH with the data secret when one is configured; fails with the node's AUTH error. */
    private void authenticate(SocketChannel ch, String address) {
        if (config.secret() == null) {
            return;
        }
        Response r = call(ch, address, Request.auth(0, Frames.ROLE_DATA, config.secret()));
        if (r.isError()) {
            throw r.toException();
        }
    }

    /** One request and its answer on a blocking channel (set-up only). */
    private Response call(SocketChannel ch, String address, Request req) {
        try {
            ByteBuffer b = ByteBuffer.wrap(req.encode());
            while (b.hasRemaining()) {
                ch.write(b);
            }
            InputStream in = ch.socket().getInputStream();
            byte[] head = readFully(in, new byte[Frames.LENGTH_BYTES]);
            int len = ByteBuffer.wrap(head).getInt();
            if (len < Frames.HEADER_BYTES || len > Frames.DEFAULT_MAX_FRAME) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "protocol error: " + address + " sent a frame of "
                        + len + " bytes");
            }
            return Response.decode(ByteBuffer.wrap(readFully(in, new byte[len])), req.opcode());
        } catch (SocketTimeoutException e) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "no answer from " + address + " within " + timeoutMillis
                    + " ms (" + req.opcode() + ")");
        } catch (IOException e) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "connection to " + address + " failed: " + e.getMessage(), e);
        }
    }

    private static byte[] readFully(InputStream in, byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int r = in.read(b, off, b.length - off);
            if (r < 0) {
                throw new IOException("closed by the node");
            }
            off += r;
        }
        return b;
    }

    @Override
    public void close() {
        for (Link l : links) {
            closeQuietly(l.channel);
        }
        links.clear();
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // ---------------------------------------------------------------- a test

    @Override
    public BenchResult run(String test) {
        opcode = switch (test) {
            case "SET" -> Opcode.PUT;
            case "GET" -> Opcode.GET;
            default -> Opcode.PING;
        };
        value = new byte[options.dataSize];
        Arrays.fill(value, (byte) 'x');
        expiresAt = Record.NEVER;
        total = options.requests;
        latencies = new int[total];
        issued = 0;
        completed = 0;
        errors = 0;
        firstError = null;
        long t0 = System.nanoTime();
        startNanos = t0;
        for (Link l : links) {
            l.lastProgress = t0;
        }
        stampExpiry();
        for (Client c : clients) {
            refill(c);
        }
        flushDirty();
        long lastCheck = t0;
        try {
            while (completed < total) {
                selector.select(this::onReady, options.rate > 0 ? 1 : SELECT_MILLIS);
                stampExpiry();
                if (options.rate > 0) {
                    // Clients held back by the rate have no answer to wake them: offer them all.
                    for (Client c : clients) {
                        refill(c);
                    }
                }
                for (int i = 0; i < dirtyClients.size(); i++) {
                    Client c = dirtyClients.get(i);
                    c.dirty = false;
                    refill(c);
                }
                dirtyClients.clear();
                flushDirty();
                long now = System.nanoTime();
                if (now - lastCheck >= CHECK_NANOS) {
                    lastCheck = now;
                    expire(now);
                }
            }
        } catch (IOException e) {
            throw new EarthwoException(ErrorCode.INTERNAL, "selector failed: " + e.getMessage(), e);
        }
        long elapsed = System.nanoTime() - t0;
        if (errors == total && firstError != null) {
            throw firstError;
        }
        return new BenchResult(test, latencies, elapsed, errors);
    }

    /**
     * With {@code --ttl}: the expiry of the SETs queued in this pass over the ready sockets (they
     * leave together), this machine's clock now plus the time to live.
     */
    private void stampExpiry() {
        if (options.ttlMillis > 0 && opcode == Opcode.PUT) {
            expiresAt = System.currentTimeMillis() + options.ttlMillis;
        }
    }

    /**
     * Issues requests until the client has {@code -P} in flight or the test's requests are all
     * issued; without {@code --window} only once the client has none in flight (a whole batch).
     */
    private void refill(Client c) {
        int depth = options.pipeline;
        if (!options.window && c.inFlight > 0) {
            return;
        }
        while (c.inFlight < depth && issued < total && withinRate()) {
            issue(c);
        }
    }

    /** With {@code --rate}: whether one more request may be issued now without going faster. */
    private boolean withinRate() {
        return options.rate <= 0 || issued < (System.nanoTime() - startNanos) * options.rate / 1_000_000_000L + 1;
    }

    private void issue(Client c) {
        byte[] key = options.keyspace > 0 ? Bench.randomKey(random.nextLong(options.keyspace)) : FIXED_KEY;
        Link l = segmentTarget == null ? c.links[0] : c.links[segmentTarget[Segments.segmentOf(key, segmentTarget.length)]];
        issued++;
        if (l.dead) {
            record(0, l.death);
            return;
        }
        int slot = l.free[--l.freeCount];
        Request req = switch (opcode) {
            case PUT -> Request.put(slot, key, value, expiresAt, options.concern);
            case GET -> Request.get(slot, key);
            default -> Request.ping(slot);
        };
        l.append(req.encode());
        if (l.inFlight++ == 0) {
            l.lastProgress = System.nanoTime();
        }
        l.busy[slot] = true;
        l.sentAt[slot] = System.nanoTime();
        c.inFlight++;
        if (!l.dirty) {
            l.dirty = true;
            dirtyLinks.add(l);
        }
    }

    private void flushDirty() {
        for (int i = 0; i < dirtyLinks.size(); i++) {
            Link l = dirtyLinks.get(i);
            l.dirty = false;
            if (!l.dead && !l.waitingWritable) {
                flush(l);
            }
        }
        dirtyLinks.clear();
    }

    private void onReady(SelectionKey k) {
        Link l = (Link) k.attachment();
        if (k.isValid() && k.isReadable()) {
            read(l);
        }
        if (k.isValid() && k.isWritable()) {
            flush(l);
        }
    }

    private void flush(Link l) {
        ByteBuffer out = l.out;
        out.flip();
        try {
            l.channel.write(out);
        } catch (IOException e) {
            out.clear();
            die(l, "connection to " + l.address + " failed while writing: " + e.getMessage());
            return;
        }
        if (out.hasRemaining()) {
            out.compact();
            if (!l.waitingWritable) {
                l.waitingWritable = true;
                l.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } else {
            out.clear();
            if (l.waitingWritable) {
                l.waitingWritable = false;
                l.key.interestOps(SelectionKey.OP_READ);
            }
        }
    }

    private void read(Link l) {
        ByteBuffer in = l.in;
        int n;
        try {
            n = l.channel.read(in);
        } catch (IOException e) {
            die(l, "connection to " + l.address + " failed: " + e.getMessage());
            return;
        }
        if (n < 0) {
            die(l, "connection to " + l.address + " closed by the node");
            return;
        }
        if (n == 0) {
            return;
        }
        long now = System.nanoTime();
        l.lastProgress = now;
        in.flip();
        while (in.remaining() >= Frames.LENGTH_BYTES) {
            int p = in.position();
            int len = in.getInt(p);
            if (len < Frames.HEADER_BYTES || len > Frames.DEFAULT_MAX_FRAME) {
                die(l, "protocol error: " + l.address + " sent a frame of " + len + " bytes (allowed "
                        + Frames.HEADER_BYTES + ".." + Frames.DEFAULT_MAX_FRAME + ")");
                return;
            }
            if (in.remaining() < Frames.LENGTH_BYTES + len) {
                break;
            }
            int end = p + Frames.LENGTH_BYTES + len;
            int limit = in.limit();
            int id = in.getInt(p + Frames.LENGTH_BYTES + 1);
            boolean ours = id >= 0 && id < l.busy.length && l.busy[id];
            EarthwoException error = null;
            in.position(p + Frames.LENGTH_BYTES).limit(end);
            try {
                Response r = Response.decode(in, ours ? opcode : Opcode.PING);
                if (r.isError()) {
                    error = r.toException();
                }
            } catch (EarthwoException e) {
                error = new EarthwoException(ErrorCode.INTERNAL, "malformed " + opcode + " answer from " + l.address
                        + ": " + e.getMessage(), e);
            }
            in.limit(limit).position(end);
            if (!ours) {
                die(l, "answer with request id " + id + " from " + l.address + ", which has no such request in flight"
                        + (error != null ? ": " + error.getMessage() : ""));
                return;
            }
            complete(l, id, now, error);
        }
        in.compact();
        if (in.position() >= Frames.LENGTH_BYTES) {
            int need = Frames.LENGTH_BYTES + in.getInt(0);
            if (need > in.capacity()) {
                ByteBuffer bigger = ByteBuffer.allocateDirect(need);
                in.flip();
                bigger.put(in);
                l.in = bigger;
            }
        }
    }

    private void complete(Link l, int slot, long now, EarthwoException error) {
        l.busy[slot] = false;
        l.free[l.freeCount++] = slot;
        l.inFlight--;
        Client c = l.client;
        c.inFlight--;
        record(now - l.sentAt[slot], error);
        if (!c.dirty) {
            c.dirty = true;
            dirtyClients.add(c);
        }
    }

    private void record(long nanos, EarthwoException error) {
        latencies[completed++] = (int) Math.min(Integer.MAX_VALUE, nanos / 1000);
        if (error != null) {
            errors++;
            if (firstError == null) {
                firstError = error;
            }
        }
    }

    /** Closes connections whose requests in flight got no answer for the request timeout. */
    private void expire(long now) {
        for (Link l : links) {
            if (!l.dead && l.inFlight > 0 && now - l.lastProgress > timeoutNanos) {
                die(l, "no answer from " + l.address + " within " + timeoutMillis + " ms (" + opcode + ")");
            }
        }
    }

    /** Closes the connection; its requests in flight fail, and so does every later request routed to it. */
    private void die(Link l, String reason) {
        if (l.dead) {
            return;
        }
        l.dead = true;
        l.death = new EarthwoException(ErrorCode.UNAVAILABLE, reason);
        l.key.cancel();
        closeQuietly(l.channel);
        l.out.clear();
        long now = System.nanoTime();
        for (int slot = 0; slot < l.busy.length; slot++) {
            if (l.busy[slot]) {
                complete(l, slot, now, l.death);
            }
        }
    }

    /** One of the {@code -c} clients: its connection to each target and its window. */
    private static final class Client {
        final Link[] links;
        int inFlight;
        boolean dirty;

        Client(int targets) {
            this.links = new Link[targets];
        }
    }

    /** One connection: its buffers and its request slots (request id = slot). */
    private static final class Link {
        final String address;
        final SocketChannel channel;
        final Client client;
        final long[] sentAt;
        final boolean[] busy;
        final int[] free;
        int freeCount;
        SelectionKey key;
        ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
        ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
        int inFlight;
        long lastProgress;
        boolean dirty;
        boolean waitingWritable;
        boolean dead;
        EarthwoException death;

        Link(String address, SocketChannel channel, Client client, int slots) {
            this.address = address;
            this.channel = channel;
            this.client = client;
            this.sentAt = new long[slots];
            this.busy = new boolean[slots];
            this.free = new int[slots];
            for (int i = 0; i < slots; i++) {
                free[i] = slots - 1 - i; // ids 0, 1, ... are used first
            }
            this.freeCount = slots;
        }

        void append(byte[] frame) {
            if (out.remaining() < frame.length) {
                ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(out.capacity() * 2, out.position() + frame.length));
                out.flip();
                bigger.put(out);
                out = bigger;
            }
            out.put(frame);
        }
    }
}

package earthwo.client.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Futures;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Segments;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelNames;
import earthwo.api.channels.PublishResult;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.client.ChannelSubscription;
import earthwo.api.client.KvClient;
import earthwo.api.client.KvClientFactory;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import earthwo.client.CommandFailedException;

import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The {@link KvClient}: routes every key to the master of its segment and fails over.
 *
 * <h2>Routing</h2>
 * On connect the client tries the seeds in order; the first that answers is the <em>home</em>
 * node, and its segment map (MAP request) is installed. A key (GET, PUT, DEL, EXPIRE, TTL) goes
 * to the replicas of {@code Segments.segmentOf(key, map.segmentCount())}, master first, then to
 * the seeds; a connection to a node is opened on first use, from the address in
 * {@code map.nodes()}. SCAN, QUERY, STATUS and MAP have no key: they go to the home node first,
 * then to the other known nodes.
 * A scan is answered by one node, which merges the segments it holds; in a cluster where that
 * node does not hold every segment the page covers only its segments. A query is answered whole
 * by any node (it asks a replica of every segment), so any node that answers will do; a node
 * without the indexes bundle answers UNAVAILABLE and the next one is tried.
 *
 * <h2>Retries</h2>
 * UNAVAILABLE (including a request timeout, a refused connect and a connection that died with
 * the request in flight), BUSY and WRONG_SEGMENT are retried, for reads and writes alike:
 * <ul>
 *   <li>WRONG_SEGMENT: the map is refreshed (MAP) and the request re-routed at once;</li>
 *   <li>UNAVAILABLE/BUSY: the next address of the route is tried after a backoff of
 *       10·2^(n-1) ms, capped at 250 ms (the first failover to another node goes at once).</li>
 * </ul>
 * Retries continue while the elapsed time is below the request timeout (at least one retry
 * always happens, at most {@value #MAX_ATTEMPTS} attempts); then the last error is returned. A
 * write whose first attempt reached the node but whose answer was lost is applied again: the
 * retried put gets a newer version (last writer wins makes that harmless for puts; a retried
 * delete may report {@code false}, a retried expire of 0 ms ABSENT, a retried persist
 * NO_EXPIRY, and a retried time to live counts from the node's clock at the retry). EXEC is
 * never retried, so an admin command runs at most once.
 * A node whose connect failed is skipped for {@value #DOWN_MILLIS} ms while the route has others.
 *
 * <h2>Map refresh</h2>
 * Every {@value #REFRESH_MILLIS} ms, after WRONG_SEGMENT and whenever a connection dies. A map
 * replaces the current one when its epoch is not lower.
 *
 * <h2>Threads</h2>
 * One scheduler thread per client (timeout sweep, map refresh, retry backoff), one short-lived
 * connect thread per connection being opened, and a reader and a writer thread per connection;
 * all daemon threads named {@code earthwo-client-N-...}; {@link #close()} ends them all.
 */
public final class RoutingKvClient implements KvClient {

    static final int MAX_ATTEMPTS = 30;
    static final long DOWN_MILLIS = 500;
    static final long REFRESH_MILLIS = 5000;
    private static final long MAX_BACKOFF_MILLIS = 250;
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger(RoutingKvClient.class.getName());

    private final KvClientFactory.Config config;
    /** TLS of every connection, or null: plain TCP. */
    private final ClientTls tls;
    private final boolean routing;
    private final Runnable onClose;
    private final String tag;
    private final long timeoutMillis;
    private final List<String> seeds;
    private final ScheduledThreadPoolExecutor scheduler;

    private final ConcurrentHashMap<String, CompletableFuture<Connection>> links = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> downUntil = new ConcurrentHashMap<>();
    private final Set<Socket> connecting = ConcurrentHashMap.newKeySet();
    private final Set<Thread> connectThreads = ConcurrentHashMap.newKeySet();
    private final Set<Call<?>> backingOff = ConcurrentHashMap.newKeySet();
    private final Set<ClientSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final AtomicReference<CompletableFuture<SegmentMap>> refreshing = new AtomicReference<>();

    private volatile SegmentMap map;
    /** Per segment: replica addresses (master first) followed by the seeds. */
    private volatile String[][] routes;
    /** Home node first, then the map's nodes, then the seeds. */
    private volatile String[] anyRoute;
    private volatile String home;
    private volatile boolean closed;

    private RoutingKvClient(KvClientFactory.Config config, boolean routing, Runnable onClose) {
        if (config.seeds().isEmpty()) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "no seed address given");
        }
        for (String s : config.seeds()) {
            Connection.parseAddress(s);
        }
        this.config = config;
        this.tls = config.tlsCa() == null ? null : ClientTls.trusting(config.tlsCa());
        this.routing = routing;
        this.onClose = onClose;
        this.tag = String.valueOf(INSTANCES.incrementAndGet());
        this.timeoutMillis = Math.max(1, config.requestTimeout().toMillis());
        this.seeds = List.copyOf(config.seeds());
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> new ClientThread(tag + "-scheduler", r));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.anyRoute = seeds.toArray(new String[0]);
    }

    /**
     * Connects to the first seed that answers and fetches its segment map.
     *
     * @param routing false for a single-node client: every request goes to the home node (then
     *                the other seeds); no map is fetched
     * @param onClose run once when the client is closed (may be null)
     * @throws EarthwoException UNAVAILABLE when no seed answers, AUTH when the secret is refused
     */
    public static RoutingKvClient connect(KvClientFactory.Config config, boolean routing, Runnable onClose) {
        RoutingKvClient c = new RoutingKvClient(config, routing, onClose);
        try {
            c.start();
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void start() {
        long tick = Math.max(5, Math.min(100, timeoutMillis / 10));
        scheduler.scheduleWithFixedDelay(this::expireRequests, tick, tick, TimeUnit.MILLISECONDS);
        List<String> failures = new ArrayList<>();
        for (String seed : seeds) {
            try {
                await(connection(seed, true));
            } catch (EarthwoException e) {
                if (e.code() == ErrorCode.AUTH) {
                    throw e;
                }
                String m = String.valueOf(e.getMessage());
                String prefix = e.code() + ": ";
                failures.add(m.startsWith(prefix) ? m.substring(prefix.length()) : m);
                continue;
            }
            home = seed;
            rebuildRoutes(null);
            if (routing) {
                try {
                    install(await(call(null, Request::map, Response::segmentMap, true)));
                } catch (EarthwoException e) {
                    LOG.log(System.Logger.Level.WARNING, "no segment map from " + seed + " (" + e.getMessage()
                            + "); sending every request to it");
                }
            }
            if (routing) {
                scheduler.scheduleWithFixedDelay(() -> refreshMap(), REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
            }
            return;
        }
        throw new EarthwoException(ErrorCode.UNAVAILABLE, "no seed answered: " + String.join("; ", failures));
    }

    private <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(timeoutMillis * 3 + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof EarthwoException ee ? ee : new EarthwoException(ErrorCode.INTERNAL, String.valueOf(c), c);
        } catch (TimeoutException e) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "no answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    // ---------------------------------------------------------------- KvClient

    @Override
    public CompletableFuture<Optional<Record>> getAsync(byte[] key) {
        byte[] k = checkKey(key);
        return call(k, id -> Request.get(id, k), r -> r.isNotFound() ? Optional.<Record>empty()
                : Optional.of(Record.value(k, r.record().value(), r.record().version(), r.record().expiresAt())), true);
    }

    @Override
    public CompletableFuture<Version> putAsync(byte[] key, byte[] value, WriteOptions options) {
        byte[] k = checkKey(key);
        if (value == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "value must not be null");
        }
        WriteOptions o = options == null ? WriteOptions.DEFAULT : options;
        // wireExpiresAt: -1 when the options keep the key's expiry, which only the node can see
        return call(k, id -> Request.put(id, k, value, o.wireExpiresAt(), o.concern()), Response::version, true);
    }

    @Override
    public CompletableFuture<Boolean> deleteAsync(byte[] key, WriteOptions options) {
        byte[] k = checkKey(key);
        WriteOptions o = options == null ? WriteOptions.DEFAULT : options;
        return call(k, id -> Request.delete(id, k, o.concern()), Response::existed, true);
    }

    /**
     * Fails fast on a time to live no node would accept; checked against this machine's clock, so
     * a value at the very edge (year 9999) is left to the node, which counts from its own clock.
     */
    @Override
    public CompletableFuture<ExpireResult> expireAsync(byte[] key, long ttlMillis, WriteConcern concern) {
        byte[] k = checkKey(key);
        Expiry.fromTtl(System.currentTimeMillis(), ttlMillis, true);
        return sendExpire(k, Request.EXPIRE_IN, ttlMillis, concern);
    }

    @Override
    public CompletableFuture<ExpireResult> expireAtAsync(byte[] key, long epochMillis, WriteConcern concern) {
        byte[] k = checkKey(key);
        return sendExpire(k, Request.EXPIRE_AT, Expiry.checkAbsolute(epochMillis), concern);
    }

    @Override
    public CompletableFuture<ExpireResult> persistAsync(byte[] key, WriteConcern concern) {
        return sendExpire(checkKey(key), Request.EXPIRE_PERSIST, 0, concern);
    }

    /** EXPIRE is a write: routed to the key's master and retried like PUT and DEL. */
    private CompletableFuture<ExpireResult> sendExpire(byte[] k, int mode, long time, WriteConcern concern) {
        WriteConcern c = concern == null ? WriteConcern.DEFAULT : concern;
        return call(k, id -> Request.expire(id, k, mode, time, c), Response::expireResult, true);
    }

    @Override
    public CompletableFuture<Long> ttlAsync(byte[] key) {
        byte[] k = checkKey(key);
        return call(k, id -> Request.ttl(id, k), Response::ttlMillis, true);
    }

    @Override
    public CompletableFuture<ScanPage> scanAsync(byte[] prefix, byte[] startAfter, int limit) {
        byte[] p = prefix == null ? new byte[0] : prefix;
        return call(null, id -> Request.scan(id, p, startAfter, limit), Response::scanPage, true);
    }

    /** Read-only, so retried on another node like a read; PARTIAL_RESULT is not retried (see ErrorCode). */
    @Override
    public CompletableFuture<IndexPage> queryAsync(IndexQuery query) {
        if (query == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "query must not be null");
        }
        return call(null, id -> Request.query(id, query), Response::indexPage, true);
    }

    /** Sent to the home node first, then the other known nodes, like a read. */
    @Override
    public CompletableFuture<PublishResult> publishAsync(String channel, byte[] message) {
        ChannelNames.checkName(channel);
        if (message == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "message must not be null");
        }
        return call(null, id -> Request.publish(id, channel, message), Response::publishResult, true);
    }

    @Override
    public ChannelSubscription subscribe(SubscribeRequest request) {
        return startSubscription(request, null);
    }

    @Override
    public ChannelSubscription subscribe(SubscribeRequest request, ChannelListener listener) {
        if (listener == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "listener must not be null");
        }
        return startSubscription(request, listener);
    }

    private ChannelSubscription startSubscription(SubscribeRequest request, ChannelListener listener) {
        if (closed) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "client closed");
        }
        ClientSubscription s = new ClientSubscription(subscriptionNodes, request, listener, tag, timeoutMillis,
                config.failoverTimeout().toMillis(), subscriptions::remove);
        subscriptions.add(s);
        s.start();
        return s;
    }

    /** Where subscriptions connect: the client's route (home first), each on a connection of its own. */
    private final ClientSubscription.Nodes subscriptionNodes = new ClientSubscription.Nodes() {
        @Override
        public List<String> candidates() {
            return List.of(anyRoute);
        }

        @Override
        public Connection open(String address, Consumer<Connection> onDeath) {
            if (closed) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "client closed");
            }
            Connection conn = Connection.open(new Socket(), address, tls, tag + "-sub", timeoutMillis,
                    config.maxInFlightPerConnection(), onDeath);
            try {
                authenticate(conn);
            } catch (RuntimeException e) {
                conn.close();
                throw e;
            }
            return conn;
        }
    };

    @Override
    public CompletableFuture<Map<String, String>> statusAsync() {
        return call(null, Request::status, Response::statusMap, true);
    }

    // The blocking calls refuse to run on a client thread: waiting there for an answer that the
    // same thread would have to read is a deadlock. Callbacks must use the async methods.

    @Override
    public Optional<Record> get(byte[] key) {
        return Futures.join(getAsync(notOnClientThread(key)));
    }

    @Override
    public Version put(byte[] key, byte[] value) {
        return Futures.join(putAsync(notOnClientThread(key), value, WriteOptions.DEFAULT));
    }

    @Override
    public Version put(byte[] key, byte[] value, WriteOptions options) {
        return Futures.join(putAsync(notOnClientThread(key), value, options));
    }

    @Override
    public boolean delete(byte[] key) {
        return Futures.join(deleteAsync(notOnClientThread(key), WriteOptions.DEFAULT));
    }

    @Override
    public ExpireResult expire(byte[] key, long ttlMillis) {
        return Futures.join(expireAsync(notOnClientThread(key), ttlMillis, WriteConcern.DEFAULT));
    }

    @Override
    public ExpireResult expireAt(byte[] key, long epochMillis) {
        return Futures.join(expireAtAsync(notOnClientThread(key), epochMillis, WriteConcern.DEFAULT));
    }

    @Override
    public ExpireResult persist(byte[] key) {
        return Futures.join(persistAsync(notOnClientThread(key), WriteConcern.DEFAULT));
    }

    @Override
    public long ttl(byte[] key) {
        return Futures.join(ttlAsync(notOnClientThread(key)));
    }

    @Override
    public ScanPage scan(byte[] prefix, byte[] startAfter, int limit) {
        return Futures.join(scanAsync(notOnClientThread(prefix), startAfter, limit));
    }

    @Override
    public IndexPage query(IndexQuery query) {
        return Futures.join(queryAsync(notOnClientThread(query)));
    }

    private static <T> T notOnClientThread(T arg) {
        if (ClientThread.isCurrent()) {
            throw new IllegalStateException("blocking Earthwo call on the client's own thread "
                    + Thread.currentThread().getName() + "; use the async methods in callbacks");
        }
        return arg;
    }

    /** PING the home node (then the others); completes when one answers. */
    public CompletableFuture<Void> pingAsync() {
        return call(null, Request::ping, r -> null, true);
    }

    /**
     * Runs an admin command on the home node. Not retried. Fails with AUTH when the config has
     * no admin secret, with {@link CommandFailedException} when the command reported failure.
     */
    @Override
    public CompletableFuture<String> execAsync(String commandLine) {
        if (config.adminSecret() == null) {
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.AUTH,
                    "exec needs the admin secret (Config.withAdminSecret)"));
        }
        Call<String> c = new Call<>(null, id -> Request.exec(id, commandLine), r -> {
            Response.ExecResult x = r.execResult();
            if (!x.ok()) {
                throw new CommandFailedException(x.output());
            }
            return x.output();
        });
        c.maxAttempts = 1;
        attempt(c, true);
        return c.result;
    }

    /** The segment map in use, or null when the node gave none (or routing is off). */
    public SegmentMap segmentMap() {
        return map;
    }

    /** Address of the node the client reached first (or failed over to). */
    public String homeAddress() {
        return home;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ClientSubscription sub : List.copyOf(subscriptions)) {
            sub.close();
        }
        scheduler.shutdownNow();
        for (Socket s : connecting) {
            Connection.closeQuietly(s);
        }
        EarthwoException gone = new EarthwoException(ErrorCode.UNAVAILABLE, "client closed");
        for (Call<?> c : backingOff) {
            if (backingOff.remove(c)) {
                c.result.completeExceptionally(gone);
            }
        }
        for (CompletableFuture<Connection> f : links.values()) {
            f.completeExceptionally(gone);
            Connection c = f.isCompletedExceptionally() ? null : f.getNow(null);
            if (c != null) {
                c.close();
            }
        }
        links.clear();
        boolean self = ClientThread.isCurrent();
        if (!self) {
            try {
                scheduler.awaitTermination(2, TimeUnit.SECONDS);
                for (Thread t : connectThreads) {
                    t.join(2000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (onClose != null) {
            onClose.run();
        }
    }

    // ---------------------------------------------------------------- calls and retries

    private static byte[] checkKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "key must not be empty");
        }
        return key;
    }

    private <T> CompletableFuture<T> call(byte[] key, IntFunction<Request> build, Function<Response, T> convert,
                                          boolean fromCaller) {
        Call<T> c = new Call<>(key, build, convert);
        attempt(c, fromCaller);
        return c.result;
    }

    private void attempt(Call<?> c, boolean fromCaller) {
        if (closed) {
            c.result.completeExceptionally(new EarthwoException(ErrorCode.UNAVAILABLE, "client closed"));
            return;
        }
        String addr = pick(route(c.key), c);
        CompletableFuture<Connection> cf = connection(addr, false);
        if (cf.isDone() && !cf.isCompletedExceptionally()) {
            sendOn(cf.join(), c, fromCaller);
        } else {
            cf.whenComplete((conn, err) -> {
                if (err != null) {
                    onFailure(c, err);
                } else {
                    sendOn(conn, c, false);
                }
            });
        }
    }

    private <T> void sendOn(Connection conn, Call<T> c, boolean mayBlock) {
        conn.send(c.build, mayBlock).whenComplete((resp, err) -> {
            if (err != null) {
                onFailure(c, err);
                return;
            }
            try {
                c.result.complete(c.convert.apply(resp));
            } catch (RuntimeException e) {
                c.result.completeExceptionally(e);
            }
        });
    }

    private void onFailure(Call<?> c, Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        EarthwoException e = t instanceof EarthwoException ee ? ee
                : new EarthwoException(ErrorCode.INTERNAL, String.valueOf(t), t);
        c.attempts++;
        boolean budgetLeft = c.attempts < 2 || System.nanoTime() - c.startNanos < TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        if (!e.isRetryable() || closed || c.attempts >= c.maxAttempts || !budgetLeft) {
            c.result.completeExceptionally(e);
            return;
        }
        if (e.code() == ErrorCode.WRONG_SEGMENT && routing) {
            refreshMap().whenComplete((m, x) -> attempt(c, false));
            return;
        }
        String[] route = route(c.key);
        long delay = c.attempts < route.length ? 0 : Math.min(MAX_BACKOFF_MILLIS, 10L << Math.min(10, c.attempts - route.length));
        if (delay == 0) {
            attempt(c, false);
            return;
        }
        backingOff.add(c);
        try {
            scheduler.schedule(() -> {
                if (backingOff.remove(c)) {
                    attempt(c, false);
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejected) {
            if (backingOff.remove(c)) {
                c.result.completeExceptionally(e);
            }
        }
    }

    private String[] route(byte[] key) {
        String[][] r = routes;
        if (key == null || r == null) {
            return anyRoute;
        }
        return r[Segments.segmentOf(key, r.length)];
    }

    /** The address for this attempt: the route in order, skipping nodes recently found down. */
    private String pick(String[] route, Call<?> c) {
        long now = System.currentTimeMillis();
        for (int i = 0; i < route.length; i++) {
            String a = route[(c.attempts + i) % route.length];
            Long d = downUntil.get(a);
            if (d == null || d <= now) {
                return a;
            }
        }
        return route[c.attempts % route.length];
    }

    // ---------------------------------------------------------------- connections

    private CompletableFuture<Connection> connection(String addr, boolean initial) {
        while (true) {
            CompletableFuture<Connection> f = links.get(addr);
            if (f != null) {
                if (!f.isDone()) {
                    return f;
                }
                if (!f.isCompletedExceptionally() && f.join().isAlive()) {
                    return f;
                }
                links.remove(addr, f);
                continue;
            }
            if (closed) {
                return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.UNAVAILABLE, "client closed"));
            }
            CompletableFuture<Connection> nf = new CompletableFuture<>();
            if (links.putIfAbsent(addr, nf) != null) {
                continue;
            }
            Socket socket = new Socket();
            connecting.add(socket);
            ClientThread t = new ClientThread(tag + "-connect-" + addr, () -> {
                try {
                    Connection conn = Connection.open(socket, addr, tls, tag, timeoutMillis,
                            config.maxInFlightPerConnection(), this::onConnectionDeath);
                    try {
                        authenticate(conn);
                    } catch (RuntimeException e) {
                        conn.close();
                        throw e;
                    }
                    downUntil.remove(addr);
                    if (!nf.complete(conn) || closed) {
                        conn.close();
                    }
                } catch (RuntimeException e) {
                    downUntil.put(addr, System.currentTimeMillis() + DOWN_MILLIS);
                    links.remove(addr, nf);
                    nf.completeExceptionally(closed ? new EarthwoException(ErrorCode.UNAVAILABLE, "client closed") : e);
                } finally {
                    connecting.remove(socket);
                    connectThreads.remove(Thread.currentThread());
                }
            });
            connectThreads.add(t);
            t.start();
            return nf;
        }
    }

    /** AUTH with the data secret and/or the admin secret, waiting for the answers. */
    private void authenticate(Connection conn) {
        List<CompletableFuture<Response>> answers = new ArrayList<>(2);
        if (config.secret() != null) {
            answers.add(conn.send(id -> Request.auth(id, Frames.ROLE_DATA, config.secret()), false));
        }
        if (config.adminSecret() != null) {
            answers.add(conn.send(id -> Request.auth(id, Frames.ROLE_ADMIN, config.adminSecret()), false));
        }
        for (CompletableFuture<Response> a : answers) {
            Futures.join(a);
        }
    }

    private void onConnectionDeath(Connection c) {
        CompletableFuture<Connection> f = links.get(c.address());
        if (f != null && f.isDone() && !f.isCompletedExceptionally() && f.join() == c) {
            links.remove(c.address(), f);
        }
        if (!closed && c.address().equals(home)) {
            // fail over the home role to the next seed; scans and status follow it
            for (String s : seeds) {
                if (!s.equals(home)) {
                    home = s;
                    rebuildRoutes(map);
                    break;
                }
            }
        }
        if (!closed && routing) {
            try {
                scheduler.execute(this::refreshMap);
            } catch (RuntimeException ignored) {
                // closing
            }
        }
    }

    private void expireRequests() {
        long now = System.nanoTime();
        for (CompletableFuture<Connection> f : links.values()) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                f.join().expire(now);
            }
        }
    }

    // ---------------------------------------------------------------- segment map

    /** Fetches the map (from any node, home first) and installs it; completes with the map in use. */
    CompletableFuture<SegmentMap> refreshMap() {
        if (!routing || closed) {
            return CompletableFuture.completedFuture(map);
        }
        CompletableFuture<SegmentMap> mine = new CompletableFuture<>();
        CompletableFuture<SegmentMap> running = refreshing.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        call(null, Request::map, Response::segmentMap, false).whenComplete((m, e) -> {
            if (m != null) {
                install(m);
            }
            refreshing.set(null);
            mine.complete(map);
        });
        return mine;
    }

    private synchronized void install(SegmentMap m) {
        SegmentMap cur = map;
        if (m == null || m.segmentCount() <= 0 || (cur != null && m.epoch() < cur.epoch())) {
            return;
        }
        map = m;
        rebuildRoutes(m);
    }

    private synchronized void rebuildRoutes(SegmentMap m) {
        LinkedHashSet<String> any = new LinkedHashSet<>();
        if (home != null) {
            any.add(home);
        }
        if (m != null) {
            for (NodeInfo n : m.nodes().values()) {
                any.add(n.address());
            }
        }
        any.addAll(seeds);
        anyRoute = any.toArray(new String[0]);
        if (m == null) {
            routes = null;
            return;
        }
        String[][] r = new String[m.segmentCount()][];
        Map<List<Integer>, String[]> shared = new java.util.HashMap<>();
        for (int s = 0; s < r.length; s++) {
            r[s] = shared.computeIfAbsent(m.replicas(s), reps -> {
                LinkedHashSet<String> out = new LinkedHashSet<>();
                for (int id : reps) {
                    NodeInfo n = m.nodes().get(id);
                    if (n != null) {
                        out.add(n.address());
                    }
                }
                out.addAll(seeds);
                return out.toArray(new String[0]);
            });
        }
        routes = r;
    }

    @Override
    public String toString() {
        return "RoutingKvClient[" + tag + ", home " + home + ", " + map + "]";
    }

    /** One operation across its attempts. */
    private static final class Call<T> {
        final byte[] key;
        final IntFunction<Request> build;
        final Function<Response, T> convert;
        final CompletableFuture<T> result = new CompletableFuture<>();
        final long startNanos = System.nanoTime();
        int maxAttempts = MAX_ATTEMPTS;
        int attempts;

        Call(byte[] key, IntFunction<Request> build, Function<Response, T> convert) {
            this.key = key;
            this.build = build;
            this.convert = convert;
        }
    }
}

package earthwo.server.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Keys;
import earthwo.api.Kv;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.WriteOptions;
import earthwo.api.admin.AdminCommands;
import earthwo.api.admin.StatusSource;
import earthwo.api.channels.Channels;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.indexes.Indexes;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Turns one decoded request into its response: checks the connection's roles, calls the
 * service that owns the request (Kv, Indexes, ClusterView, AdminCommands, status sources) and
 * maps every outcome to a response. It never throws and its stages never fail: a missing service
 * is UNAVAILABLE, a typed failure keeps its code, anything else is INTERNAL (and logged with the
 * request's context).
 *
 * <p>PUBLISH, SUBSCRIBE and UNSUBSCRIBE go to {@link Channels} (UNAVAILABLE while the channels
 * bundle is not running); a subscription's frames are pushed by the connection's
 * {@link ConnectionSubscriptions}.
 *
 * <p>Runs on the connection's I/O thread. Requests that may block (SCAN, QUERY, STATUS, EXEC, and
 * GET, PUT, DEL when {@code offloadData}) run on {@code blocking}; a full queue there is BUSY. A
 * QUERY page is kept within one frame by {@link FrameBoundedQuery}. PUT and DEL on the I/O thread
 * join its commit burst (see {@link #joinCommitBurst}).
 *
 * <p>PEER (node-to-node messages) needs the peer role (AUTH with the cluster secret); from any
 * other connection it is AUTH and the connection is closed. The payload's first
 * byte (unsigned) is its message type; the {@link PeerHandler} registered for that type runs on
 * the {@code peer} pool (handlers may do disk I/O) and its answer bytes become the OK payload. No
 * handler for the type is UNAVAILABLE ("no handler for peer message type N"), a typed failure
 * of the handler keeps its code, an answer that does not fit into a frame is TOO_LARGE.
 */
final class RequestDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);

    /** Bytes of a SCAN answer besides its records: header, count, continuation flag and length. */
    private static final int SCAN_OVERHEAD = Frames.HEADER_BYTES + 4 + 1 + 4;
    /** Bytes of one SCAN record besides its key and value: two lengths, version, expiresAt. */
    private static final int SCAN_RECORD_OVERHEAD = 4 + 4 + 12 + 8;

    private final NodeServices services;
    private final Secrets secrets;
    private final ServerStats stats;
    private final Executor blocking;
    private final Executor peer;
    private final boolean offloadData;
    private final int maxFrameBytes;
    private final int maxKeyBytes;
    private final int maxAuthFailures;
    private final FrameBoundedQuery queries;

    RequestDispatcher(NodeServices services, Secrets secrets, ServerStats stats, Executor blocking,
                      Executor peer, ServerSettings settings) {
        this.services = services;
        this.secrets = secrets;
        this.stats = stats;
        this.blocking = blocking;
        this.peer = peer;
        this.offloadData = settings.offloadData;
        this.maxFrameBytes = settings.maxFrameBytes;
        this.maxKeyBytes = settings.maxKeyBytes;
        this.maxAuthFailures = settings.maxAuthFailures;
        this.queries = new FrameBoundedQuery(this::indexes, blocking, settings.maxFrameBytes);
    }

    /** True once a connection has failed AUTH so often, or sent what it must not, that it must be closed. */
    boolean mustClose(Session session) {
        return session.mustClose() || session.authFailures() >= maxAuthFailures;
    }

    /**
     * The response to {@code req}, called on the connection's I/O thread {@code loop}; the stage
     * may complete on any thread.
     */
    CompletionStage<Response> dispatch(Request req, Session session, Executor loop) {
        int id = req.id();
        switch (req.opcode()) {
            case PING:
                return done(Response.ok(id));
            case AUTH:
                return done(auth(req, session));
            case EXEC:
                if (!session.isAdmin()) {
                    return done(Response.error(id, ErrorCode.AUTH, "EXEC needs a connection authenticated with the admin secret"));
                }
                return run(req, session, true, () -> done(exec(req)));
            case PEER:
                if (!session.isPeer()) {
                    return done(peerRoleMissing(req, session));
                }
                break;
            default:
                break;
        }
        if (!session.mayUseData()) {
            return done(Response.error(id, ErrorCode.AUTH, "authenticate first: this node requires a secret"));
        }
        switch (req.opcode()) {
            case GET:
                return run(req, session, offloadData, () -> get(req));
            case PUT:
                return write(req, session, loop, () -> put(req));
            case DEL:
                return write(req, session, loop, () -> delete(req));
            case EXPIRE:
                return write(req, session, loop, () -> expire(req));
            case TTL:
                return run(req, session, offloadData, () -> ttl(req));
            case SCAN:
                return run(req, session, true, () -> done(scan(req)));
            case QUERY:
                return run(req, session, true, () -> query(req));
            case PUBLISH:
            case SUBSCRIBE:
            case UNSUBSCRIBE:
                return channelRequest(req, session);
            case STATUS:
                return run(req, session, true, () -> done(Response.status(id, status())));
            case MAP:
                return run(req, session, false, () -> done(map(req)));
            case PEER:
                return peer(req, session, loop);
            default:
                return done(Response.error(id, ErrorCode.BAD_REQUEST, "opcode " + req.opcode() + " is not served here"));
        }
    }

    // ---- the requests ----

    private Response auth(Request req, Session session) {
        int role = req.role();
        String secret = req.text();
        boolean ok = switch (role) {
            case Frames.ROLE_ADMIN -> secrets.isAdminSecret(secret);
            case Frames.ROLE_PEER -> secrets.isClusterSecret(secret);
            default -> secrets.isDataSecret(secret);
        };
        String name = role == Frames.ROLE_ADMIN ? "admin" : role == Frames.ROLE_PEER ? "cluster" : "data";
        if (ok) {
            if (role == Frames.ROLE_ADMIN) {
                session.grantAdmin();
            } else if (role == Frames.ROLE_PEER) {
                session.grantPeer();
            }
            session.grantData();
            return Response.ok(req.id());
        }
        int failures = session.failAuth();
        stats.authFailures.increment();
        LOG.warn("wrong {} secret from {} ({} failures on this connection{})", name,
                session.remote, failures, failures >= maxAuthFailures ? ", closing it" : "");
        return Response.error(req.id(), ErrorCode.AUTH, "wrong " + (role == Frames.ROLE_DATA ? "" : name + " ") + "secret");
    }

    /**
     * A PEER frame from a connection that is not another node: peer messages write versions and
     * records as they are, so a data client must never send one. Refused and the connection closed.
     */
    private Response peerRoleMissing(Request req, Session session) {
        stats.peerRefused.increment();
        session.closeAfterAnswers();
        LOG.warn("PEER frame from {} without the peer role (AUTH role 2 with the cluster secret): refused, closing the"
                + " connection", session.remote);
        return Response.error(req.id(), ErrorCode.AUTH, "PEER needs the peer role: only another node of the cluster,"
                + " authenticated with the cluster secret, may send it");
    }

    private CompletionStage<Response> get(Request req) {
        return kv().getAsync(req.key())
                .thenApply(r -> r.isPresent() ? Response.record(req.id(), r.get()) : Response.notFound(req.id()));
    }

    private CompletionStage<Response> put(Request req) {
        WriteOptions options = WriteOptions.of(req.concern(), req.expiresAt());
        return kv().putAsync(req.key(), req.value(), options).thenApply(v -> Response.version(req.id(), v));
    }

    private CompletionStage<Response> delete(Request req) {
        WriteOptions options = WriteOptions.of(req.concern(), Record.NEVER);
        return kv().deleteAsync(req.key(), options).thenApply(existed -> Response.deleted(req.id(), existed));
    }

    /** Range checks give BAD_REQUEST before anything changes. */
    private CompletionStage<Response> expire(Request req) {
        CompletionStage<ExpireResult> done = switch (req.expireMode()) {
            case Request.EXPIRE_IN -> kv().expireInAsync(req.key(), req.expiresAt(), req.concern());
            // Epoch 0 is long past (the key is deleted); to Kv, 0 would mean "no expiry".
            case Request.EXPIRE_AT -> kv().expireAsync(req.key(), Math.max(1, Expiry.checkAbsolute(req.expiresAt())), req.concern());
            default -> kv().expireAsync(req.key(), Record.NEVER, req.concern());
        };
        return done.thenApply(r -> Response.expired(req.id(), r));
    }

    private CompletionStage<Response> ttl(Request req) {
        return kv().ttlAsync(req.key()).thenApply(ms -> Response.ttl(req.id(), ms));
    }

    private Response scan(Request req) {
        ScanPage page = kv().scan(req.key(), req.startAfter(), req.limit());
        return Response.scan(req.id(), fitToFrame(page));
    }

    /**
     * Cuts a page whose answer would exceed the frame limit; the continuation then points at the
     * last record kept, so the client reads the rest with the next page.
     */
    private ScanPage fitToFrame(ScanPage page) {
        long size = SCAN_OVERHEAD + maxKeyBytes;
        List<Record> records = page.records();
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            size += SCAN_RECORD_OVERHEAD + r.key().length + r.value().length;
            if (size > maxFrameBytes) {
                if (i == 0) {
                    throw new EarthwoException(ErrorCode.TOO_LARGE, "the first record of the scan does not fit in a "
                            + maxFrameBytes + "-byte frame");
                }
                List<Record> kept = new ArrayList<>(records.subList(0, i));
                return new ScanPage(kept, kept.get(i - 1).key());
            }
        }
        return page;
    }

    private CompletionStage<Response> query(Request req) {
        return queries.run(req.query()).thenApply(page -> Response.queryPage(req.id(), page));
    }

    /** Kept out of {@link #dispatch} so that the data path's dispatch stays as small as it was. */
    private CompletionStage<Response> channelRequest(Request req, Session session) {
        return switch (req.opcode()) {
            case PUBLISH -> run(req, session, false, () -> publish(req));
            case SUBSCRIBE -> run(req, session, false, () -> session.subscriptions().subscribe(channels(), req));
            default -> run(req, session, false,
                    () -> done(Response.deleted(req.id(), session.subscriptions().unsubscribe(req.subscriptionId()))));
        };
    }

    private CompletionStage<Response> publish(Request req) {
        return channels().publish(req.text(), req.value()).thenApply(r -> Response.published(req.id(), r));
    }

    private Map<String, String> status() {
        Map<String, String> all = new TreeMap<>();
        boolean ownSeen = false;
        for (StatusSource s : services.statusSources()) {
            ownSeen |= s == stats;
            addStatus(all, s);
        }
        if (!ownSeen) {
            addStatus(all, stats);
        }
        return all;
    }

    private static void addStatus(Map<String, String> all, StatusSource s) {
        String name = "?";
        try {
            name = s.name();
            Map<String, Object> facts = s.status();
            if (facts != null) {
                for (Map.Entry<String, Object> e : facts.entrySet()) {
                    all.put(name + "." + e.getKey(), String.valueOf(e.getValue()));
                }
            }
        } catch (RuntimeException e) {
            // A source that is going away (bundle update) or failing must not break STATUS.
            all.put(name + ".error", String.valueOf(e.getMessage()));
        }
    }

    private Response map(Request req) {
        ClusterView cluster = services.cluster();
        SegmentMap map = cluster == null ? null : cluster.currentMap();
        if (map == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "the cluster view is not available on this node");
        }
        return Response.map(req.id(), map);
    }

    private Response exec(Request req) {
        AdminCommands admin = services.admin();
        if (admin == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "no admin command service on this node (is earthwo.shell running?)");
        }
        try {
            AdminCommands.Result r = admin.execute(req.text());
            return r == null ? Response.exec(req.id(), false, "the command returned nothing")
                    : Response.exec(req.id(), r.ok(), r.output());
        } catch (EarthwoException e) {
            throw e;
        } catch (RuntimeException e) {
            return Response.exec(req.id(), false, String.valueOf(e.getMessage()));
        }
    }

    private CompletionStage<Response> peer(Request req, Session session, Executor loop) {
        byte[] payload = req.value();
        int type = payload.length == 0 ? -1 : payload[0] & 0xff;
        stats.peerRequests.increment();
        if (services.peerHandler(type) == null) {
            stats.peerUnhandled.increment();
            return done(Response.error(req.id(), ErrorCode.UNAVAILABLE, "no handler for peer message type " + type));
        }
        // A handler that does no more than a client's PUT runs here, in the I/O thread's write
        // burst, as a PUT does; any other on the peer threads, where it may scan or wait.
        boolean inline = !offloadData && services.peerInline(type);
        if (inline) {
            joinCommitBurst(loop);
        }
        return runOn(inline ? null : peer, req, session, () -> {
            // Looked up again on the pool thread: the handler may have gone meanwhile (never kept past unbind).
            PeerHandler h = services.peerHandler(type);
            if (h == null) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "no handler for peer message type " + type);
            }
            CompletionStage<byte[]> answer = h.handle(payload);
            if (answer == null) {
                throw new EarthwoException(ErrorCode.INTERNAL, "the handler of peer message type " + type + " returned no answer");
            }
            return answer.thenApply(bytes -> peerAnswer(req.id(), type, bytes));
        });
    }

    private Response peerAnswer(int id, int type, byte[] bytes) {
        byte[] b = bytes == null ? new byte[0] : bytes;
        long frame = (long) Frames.HEADER_BYTES + 4 + b.length;
        if (frame > maxFrameBytes) {
            throw new EarthwoException(ErrorCode.TOO_LARGE, "the answer to peer message type " + type + " (" + b.length
                    + " bytes) does not fit in a " + maxFrameBytes + "-byte frame");
        }
        return Response.peer(id, b);
    }

    private Indexes indexes() {
        Indexes indexes = services.indexes();
        if (indexes == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "secondary indexes are not running on this node");
        }
        return indexes;
    }

    private Channels channels() {
        Channels channels = services.channels();
        if (channels == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "channels are not running on this node");
        }
        return channels;
    }

    private Kv kv() {
        Kv kv = services.kv();
        if (kv == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "the key-value service is not available on this node (restarting?)");
        }
        return kv;
    }

    // ---- running and mapping failures ----

    /** Runs a write here, in the I/O thread's commit burst, or on the blocking pool when data is offloaded. */
    private CompletionStage<Response> write(Request req, Session session, Executor loop,
                                            Supplier<CompletionStage<Response>> body) {
        if (!offloadData) {
            joinCommitBurst(loop);
        }
        return run(req, session, offloadData, body);
    }

    /**
     * Opens a commit burst on this I/O thread unless one is open, and ends it with a task on the
     * same loop. Netty runs that task after the reads of the loop's current turn, so all writes of
     * the turn share one log write and are answered here, without waking the store's group commit
     * thread or being woken by it ({@link Kv#beginBurst()}).
     */
    private void joinCommitBurst(Executor loop) {
        Kv kv = services.kv();
        if (kv == null || !kv.beginBurst()) {
            return;
        }
        try {
            loop.execute(kv::endBurst);
        } catch (RejectedExecutionException shuttingDown) {
            kv.endBurst(); // nothing joined yet: this write then uses the store's own thread
        }
    }

    /** Runs {@code body} here or on the blocking pool; every failure becomes an error response. */
    private CompletionStage<Response> run(Request req, Session session, boolean onBlocking,
                                          Supplier<CompletionStage<Response>> body) {
        return runOn(onBlocking ? blocking : null, req, session, body);
    }

    /** Runs {@code body} on {@code pool}, or here when it is null; a full pool is BUSY. */
    private CompletionStage<Response> runOn(Executor pool, Request req, Session session,
                                            Supplier<CompletionStage<Response>> body) {
        if (pool == null) {
            return guarded(req, session, body);
        }
        CompletableFuture<Response> result = new CompletableFuture<>();
        try {
            pool.execute(() -> guarded(req, session, body).whenComplete((r, e) -> result.complete(r)));
        } catch (RejectedExecutionException e) {
            result.complete(failure(req, session, e));
        }
        return result;
    }

    private CompletionStage<Response> guarded(Request req, Session session, Supplier<CompletionStage<Response>> body) {
        CompletionStage<Response> stage;
        try {
            stage = body.get();
        } catch (Throwable t) {
            return done(failure(req, session, t));
        }
        return stage.handle((r, t) -> t == null ? r : failure(req, session, t));
    }

    private Response failure(Request req, Session session, Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof EarthwoException e) {
            return Response.error(req.id(), e);
        }
        if (cause instanceof RejectedExecutionException) {
            return Response.error(req.id(), ErrorCode.BUSY, "too many requests waiting on this node; retry later");
        }
        LOG.error("request {} {} from {} ({}) failed", req.id(), req.opcode(), session.remote, context(req), cause);
        return Response.error(req.id(), ErrorCode.INTERNAL, String.valueOf(cause));
    }

    private static String context(Request req) {
        if (req.opcode() == earthwo.api.protocol.Opcode.PEER) {
            byte[] p = req.value();
            return "peer message type " + (p == null || p.length == 0 ? -1 : p[0] & 0xff) + ", " + (p == null ? 0 : p.length) + " bytes";
        }
        if (req.query() != null) {
            return String.valueOf(req.query());
        }
        if (req.subscription() != null) {
            return String.valueOf(req.subscription());
        }
        if (req.opcode() == earthwo.api.protocol.Opcode.PUBLISH) {
            return "channel " + req.text();
        }
        return "key " + (req.key() == null ? "-" : Keys.printable(req.key()));
    }

    private static CompletionStage<Response> done(Response r) {
        return CompletableFuture.completedFuture(r);
    }
}

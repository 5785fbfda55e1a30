package earthwo.client.testing;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.WriteOptions;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexQuery;
import earthwo.api.indexes.IndexRow;
import earthwo.api.protocol.Frames;
import earthwo.api.protocol.ProtocolException;
import earthwo.api.protocol.ProtocolLimits;
import earthwo.api.protocol.Request;
import earthwo.api.protocol.Response;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * TEST DOUBLE — not the Earthwo node. A tiny single-node server on 127.0.0.1:0 that speaks the
 * real codec ({@link Request#decode}, {@link Response#encode}) over an in-memory sorted map, so
 * the client can be tested over real TCP while the real server is being written. Expired keys are
 * invisible by {@link #wallClock}; EXPIRE and TTL follow the node's documented semantics (a time
 * not in the future deletes the key, EXPIRE_AT 0 included). QUERY is answered from
 * {@link #indexRows}, as the indexes service of a node would (see {@link #answerQuery}). One thread
 * per connection; faults are switched on by the test (never answer, die, send an oversize frame,
 * answer WRONG_SEGMENT once, require a secret, no indexes running, a query error).
 */
public final class FakeNodeServer implements AutoCloseable {

    public final int nodeId;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ConcurrentSkipListMap<byte[], Record> data = new ConcurrentSkipListMap<>(Keys::compare);
    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger received = new AtomicInteger();

    /** When true, requests are read but never answered (except AUTH and MAP if {@link #answerControl}). */
    public volatile boolean silent;
    /** Data requests answered before the node falls silent as with {@link #silent} (default: all). */
    public volatile int answeredDataRequests = Integer.MAX_VALUE;
    private final AtomicInteger dataAnswered = new AtomicInteger();
    /** While silent, still answer AUTH and MAP. */
    public volatile boolean answerControl = true;
    /** Answer the next data request with WRONG_SEGMENT. */
    public volatile boolean wrongSegmentOnce;
    /** Answer the next request with a frame header announcing this many bytes (0 = off). */
    public volatile int oversizeFrame;
    /** Required data secret, or null. */
    public volatile String secret;
    /** Admin secret EXEC needs. */
    public volatile String adminSecret = "admin";
    /** Runs EXEC command lines: returns the output; throw to report failure. */
    public volatile Function<String, String> exec = cmd -> {
        if (cmd.startsWith("fail")) {
            throw new IllegalStateException("command failed: " + cmd);
        }
        return "ran " + cmd;
    };
    /** The node's wall clock for expiries (epoch ms); tests may fix it. */
    public volatile LongSupplier wallClock = System::currentTimeMillis;
    /** The last data request answered (GET, PUT, DEL, SCAN, EXPIRE, TTL), for tests to inspect. */
    public volatile Request lastDataRequest;
    /**
     * The rows QUERY reads, per index name, in any order; a query of a name not here is BAD_REQUEST
     * ("no index named ..."), as the node answers for an unknown index.
     */
    public final Map<String, List<IndexRow>> indexRows = new ConcurrentHashMap<>();
    /** False: QUERY is UNAVAILABLE, as on a node whose indexes bundle is not running. */
    public volatile boolean indexesRunning = true;
    /** When set, QUERY is answered with this error (e.g. PARTIAL_RESULT), after {@link #queryErrorAfter} queries. */
    public volatile EarthwoException queryError;
    /** QUERY requests answered with rows before {@link #queryError} applies (default 0: from the first). */
    public volatile int queryErrorAfter;
    /** QUERY requests answered (with rows or an error). */
    public final AtomicInteger queries = new AtomicInteger();
    /** The segment map MAP answers with; null: {@link #segmentMap()}'s own (every segment here). */
    public volatile SegmentMap map;
    private volatile long mapEpoch = 1;

    public FakeNodeServer(int nodeId) throws IOException {
        this.nodeId = nodeId;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fake-node-" + nodeId + "-accept");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Requests read so far (answered or not). */
    public int received() {
        return received.get();
    }

    public Map<String, String> contents() {
        Map<String, String> m = new LinkedHashMap<>();
        data.forEach((k, r) -> m.put(Keys.string(k), Keys.string(r.value())));
        return m;
    }

    public void bumpEpoch() {
        mapEpoch++;
    }

    /** The map this node hands out: {@link #map} if set, else every one of 16 segments on this node alone. */
    public SegmentMap segmentMap() {
        SegmentMap m = map;
        if (m != null) {
            return m;
        }
        List<List<Integer>> reps = new ArrayList<>();
        for (int s = 0; s < 16; s++) {
            reps.add(List.of(nodeId));
        }
        return new SegmentMap(mapEpoch, 1, reps, Map.of(nodeId, new NodeInfo(nodeId, "127.0.0.1", port())));
    }

    /** Kills the node: closes the listener and every connection at once. */
    public void kill() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() {
        kill();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "fake-node-" + nodeId + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        boolean authed = secret == null;
        boolean admin = false;
        try (s) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 65536));
            while (true) {
                int len = in.readInt();
                byte[] body = new byte[len];
                in.readFully(body);
                received.incrementAndGet();
                Request req;
                try {
                    req = Request.decode(ByteBuffer.wrap(body), ProtocolLimits.DEFAULT);
                } catch (ProtocolException e) {
                    out.write(Response.error(e.requestId(), e).encode());
                    out.flush();
                    continue;
                }
                int huge = oversizeFrame;
                if (huge > 0) {
                    oversizeFrame = 0;
                    out.writeInt(huge);
                    out.write(new byte[]{0, 0, 0, 0, (byte) req.id()});
                    out.flush();
                    continue;
                }
                boolean control = req.opcode() == earthwo.api.protocol.Opcode.AUTH
                        || req.opcode() == earthwo.api.protocol.Opcode.MAP;
                boolean unanswered = silent && !(control && answerControl);
                if (unanswered || (!control && dataAnswered.getAndIncrement() >= answeredDataRequests)) {
                    if (in.available() == 0) {
                        out.flush(); // the answers given before this request
                    }
                    continue;
                }
                Response resp;
                switch (req.opcode()) {
                    case AUTH:
                        if (req.role() == Frames.ROLE_ADMIN) {
                            admin = req.text().equals(adminSecret);
                            resp = admin ? Response.ok(req.id()) : Response.error(req.id(), ErrorCode.AUTH, "wrong admin secret");
                        } else {
                            authed = secret == null || secret.equals(req.text());
                            resp = authed ? Response.ok(req.id()) : Response.error(req.id(), ErrorCode.AUTH, "wrong secret");
                        }
                        break;
                    case EXEC:
                        if (!admin) {
                            resp = Response.error(req.id(), ErrorCode.AUTH, "EXEC needs the admin secret");
                            break;
                        }
                        try {
                            resp = Response.exec(req.id(), true, exec.apply(req.text()));
                        } catch (RuntimeException e) {
                            resp = Response.exec(req.id(), false, e.getMessage());
                        }
                        break;
                    default:
                        if (!authed && req.opcode() != earthwo.api.protocol.Opcode.PING) {
                            resp = Response.error(req.id(), ErrorCode.AUTH, "secret required");
                        } else {
                            resp = handle(req);
                        }
                }
                out.write(resp.encode());
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            // connection closed or killed
        } finally {
            sockets.remove(s);
        }
    }

    private Response handle(Request req) {
        byte[] k = req.key();
        switch (req.opcode()) {
            case PING:
                return Response.ok(req.id());
            case MAP:
                return Response.map(req.id(), segmentMap());
            case STATUS: {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("node.id", String.valueOf(nodeId));
                m.put("storage.records", String.valueOf(data.size()));
                return Response.status(req.id(), m);
            }
            default:
                break;
        }
        if (wrongSegmentOnce) {
            wrongSegmentOnce = false;
            mapEpoch++;
            return Response.error(req.id(), EarthwoException.wrongSegment("not mine", mapEpoch));
        }
        lastDataRequest = req;
        long now = wallClock.getAsLong();
        switch (req.opcode()) {
            case GET: {
                Record r = live(k, now);
                return r == null ? Response.notFound(req.id()) : Response.record(req.id(), r);
            }
            case PUT: {
                long expiresAt = req.expiresAt();
                if (expiresAt == WriteOptions.KEEP_TTL) {
                    Record old = live(k, now);
                    expiresAt = old == null ? Record.NEVER : old.expiresAt();
                } else if (expiresAt != Record.NEVER && expiresAt <= now) {
                    return Response.error(req.id(), ErrorCode.BAD_REQUEST, "expiry " + expiresAt + " is not in the future");
                }
                Version v = new Version(clock.incrementAndGet(), nodeId);
                data.put(k, Record.value(k, req.value(), v, expiresAt));
                return Response.version(req.id(), v);
            }
            case DEL: {
                boolean existed = live(k, now) != null;
                data.remove(k);
                return Response.deleted(req.id(), existed);
            }
            case EXPIRE:
                try {
                    return Response.expired(req.id(), expire(req, now));
                } catch (EarthwoException e) {
                    return Response.error(req.id(), e);
                }
            case TTL:
                return Response.ttl(req.id(), Expiry.remaining(data.get(k), now));
            case QUERY: {
                int answered = queries.getAndIncrement();
                try {
                    return Response.queryPage(req.id(), answerQuery(req.query(), answered));
                } catch (EarthwoException e) {
                    return Response.error(req.id(), e);
                }
            }
            case SCAN: {
                List<Record> out = new ArrayList<>();
                byte[] from = req.startAfter();
                for (Map.Entry<byte[], Record> e : (from == null ? data : data.tailMap(from, false)).entrySet()) {
                    if (!Keys.hasPrefix(e.getKey(), k)) {
                        if (Keys.compare(e.getKey(), k) > 0 && out.size() > 0) {
                            break;
                        }
                        continue;
                    }
                    if (!e.getValue().isLiveAt(now)) {
                        continue;
                    }
                    if (out.size() == req.limit()) {
                        return Response.scan(req.id(), new ScanPage(out, out.get(out.size() - 1).key()));
                    }
                    out.add(e.getValue());
                }
                return Response.scan(req.id(), new ScanPage(out, null));
            }
            default:
                return Response.error(req.id(), ErrorCode.BAD_REQUEST, "unsupported " + req.opcode());
        }
    }

    private static final Comparator<IndexRow> INDEX_ORDER =
            Comparator.comparing(IndexRow::indexValue).thenComparing(IndexRow::key, Keys::compare);

    /**
     * A page of {@link #indexRows}: rows ordered by (index value, key), index values compared as
     * text; {@code eq} matches equal text, {@code from}/{@code to} bound it inclusively. The cursor
     * is the last row's index value and key (base64url, so it is one shell word), and the page
     * continues strictly after that row.
     */
    private IndexPage answerQuery(IndexQuery q, int answered) {
        EarthwoException error = queryError;
        if (error != null && answered >= queryErrorAfter) {
            throw error;
        }
        if (!indexesRunning) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "secondary indexes are not running on this node");
        }
        List<IndexRow> all = indexRows.get(q.index());
        if (all == null) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "no index named '" + q.index() + "'");
        }
        List<IndexRow> sorted = new ArrayList<>(all);
        sorted.sort(INDEX_ORDER);
        IndexRow last = q.after() == null ? null : rowOfCursor(q.after());
        List<IndexRow> page = new ArrayList<>();
        for (IndexRow row : sorted) {
            String v = row.indexValue();
            boolean matches = q.eq() != null ? v.equals(q.eq())
                    : (q.from() == null || v.compareTo(q.from()) >= 0) && (q.to() == null || v.compareTo(q.to()) <= 0);
            if (!matches || (last != null && INDEX_ORDER.compare(row, last) <= 0)) {
                continue;
            }
            if (page.size() == q.limit()) {
                return new IndexPage(page, cursorAfter(page.get(page.size() - 1)));
            }
            page.add(q.keysOnly() ? new IndexRow(row.key(), v, null) : row);
        }
        return new IndexPage(page, null);
    }

    /** The cursor this node gives for a page ending at {@code row}. */
    public static String cursorAfter(IndexRow row) {
        byte[] text = (row.indexValue() + "\n" + Keys.string(row.key())).getBytes(StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text);
    }

    private static IndexRow rowOfCursor(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "not a cursor of this query: " + cursor);
        }
        int cut = text.lastIndexOf('\n');
        if (cut < 0) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "not a cursor of this query: " + cursor);
        }
        return new IndexRow(Keys.utf8(text.substring(cut + 1)), text.substring(0, cut), null);
    }

    private Record live(byte[] k, long now) {
        Record r = data.get(k);
        return r != null && r.isLiveAt(now) ? r : null;
    }

    private ExpireResult expire(Request req, long now) {
        byte[] k = req.key();
        long expiresAt = switch (req.expireMode()) {
            case Request.EXPIRE_IN -> Expiry.fromTtl(now, req.expiresAt(), true);
            case Request.EXPIRE_AT -> Expiry.checkAbsolute(req.expiresAt());
            default -> Record.NEVER;
        };
        Record old = live(k, now);
        if (old == null) {
            return ExpireResult.ABSENT;
        }
        Version v = new Version(clock.incrementAndGet(), nodeId);
        if (req.expireMode() == Request.EXPIRE_PERSIST) {
            if (old.expiresAt() == Record.NEVER) {
                return ExpireResult.NO_EXPIRY;
            }
            data.put(k, Record.value(k, old.value(), v, Record.NEVER));
            return ExpireResult.PERSISTED;
        }
        if (expiresAt <= now) { // EXPIRE_AT 0 is epoch 0, long past: deletes too
            data.remove(k);
            return ExpireResult.DELETED;
        }
        data.put(k, Record.value(k, old.value(), v, expiresAt));
        return ExpireResult.SET;
    }

    /** Names of live threads whose name starts with the prefix. */
    public static List<String> threadsNamed(String prefix) {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix)) {
                out.add(t.getName());
            }
        }
        Collections.sort(out);
        return out;
    }
}

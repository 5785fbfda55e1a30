package earthwo.api.protocol;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Limits;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Version;
import earthwo.api.channels.PublishResult;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.indexes.IndexPage;
import earthwo.api.indexes.IndexRow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One response frame. The payload of a success depends on the opcode of the request it answers,
 * so decoding takes that opcode; errors have the same layout for every request.
 */
public final class Response {

    private static final int MAX_TEXT = Limits.MAX_FRAME_BYTES;
    private static final int MAX_MAP_NODES = 100_000;

    private final int status;
    private final int id;
    private final Object body;
    private final long mapEpoch;

    private Response(int status, int id, Object body, long mapEpoch) {
        this.status = status;
        this.id = id;
        this.body = body;
        this.mapEpoch = mapEpoch;
    }

    // ---- factories, one per answer kind ----

    public static Response ok(int id) {
        return new Response(Frames.STATUS_OK, id, null, -1);
    }

    public static Response notFound(int id) {
        return new Response(Frames.STATUS_NOT_FOUND, id, null, -1);
    }

    /** Answer to GET (a live record) or to PUT (the version; record key/value unused). */
    public static Response record(int id, Record record) {
        return new Response(Frames.STATUS_OK, id, record, -1);
    }

    public static Response version(int id, Version version) {
        return new Response(Frames.STATUS_OK, id, version, -1);
    }

    public static Response deleted(int id, boolean existed) {
        return new Response(Frames.STATUS_OK, id, existed, -1);
    }

    /** Answer to EXPIRE: what the change did. */
    public static Response expired(int id, ExpireResult result) {
        return new Response(Frames.STATUS_OK, id, result, -1);
    }

    /** Answer to TTL: milliseconds left, {@link earthwo.api.Expiry#TTL_NONE} or {@link earthwo.api.Expiry#TTL_ABSENT}. */
    public static Response ttl(int id, long remainingMillis) {
        return new Response(Frames.STATUS_OK, id, remainingMillis, -1);
    }

    public static Response scan(int id, ScanPage page) {
        return new Response(Frames.STATUS_OK, id, page, -1);
    }

    /** Answer to QUERY: a page of index rows; the node keeps it within one frame ({@link #queryAnswerBytes}). */
    public static Response queryPage(int id, IndexPage page) {
        return new Response(Frames.STATUS_OK, id, page, -1);
    }

    /** Answer to PUBLISH. */
    public static Response published(int id, PublishResult result) {
        return new Response(Frames.STATUS_OK, id, result, -1);
    }

    /** Answer to SUBSCRIBE once the subscription is ready: the node's subscription id and clock. */
    public static Response subscribed(int id, Subscribed subscribed) {
        return new Response(Frames.STATUS_OK, id, subscribed, -1);
    }

    public static Response status(int id, Map<String, String> status) {
        return new Response(Frames.STATUS_OK, id, new LinkedHashMap<>(status), -1);
    }

    public static Response map(int id, SegmentMap map) {
        return new Response(Frames.STATUS_OK, id, map, -1);
    }

    public static Response exec(int id, boolean ok, String output) {
        return new Response(Frames.STATUS_OK, id, new ExecResult(ok, output), -1);
    }

    /** Answer to a PEER request: an opaque payload. */
    public static Response peer(int id, byte[] payload) {
        return new Response(Frames.STATUS_OK, id, new PeerPayload(payload), -1);
    }

    public static Response error(int id, ErrorCode code, String message) {
        return new Response(code.wireCode(), id, message == null ? "" : message, -1);
    }

    public static Response error(int id, EarthwoException e) {
        return new Response(e.code().wireCode(), id, String.valueOf(e.getMessage()), e.mapEpoch());
    }

    // ---- accessors ----

    public int id() {
        return id;
    }

    public int status() {
        return status;
    }

    public boolean isError() {
        return status >= ErrorCode.WRONG_SEGMENT.wireCode();
    }

    public boolean isNotFound() {
        return status == Frames.STATUS_NOT_FOUND;
    }

    /** The typed error this response carries (only when {@link #isError()}). */
    public EarthwoException toException() {
        ErrorCode code = ErrorCode.fromWire(status);
        String msg = String.valueOf(body);
        String prefix = code + ": ";
        if (msg.startsWith(prefix)) {
            msg = msg.substring(prefix.length());
        }
        return new EarthwoException(code, msg, mapEpoch, null);
    }

    public Record record() {
        return (Record) body;
    }

    public Version version() {
        return body instanceof Record r ? r.version() : (Version) body;
    }

    public boolean existed() {
        return (Boolean) body;
    }

    public ExpireResult expireResult() {
        return (ExpireResult) body;
    }

    public long ttlMillis() {
        return (Long) body;
    }

    public ScanPage scanPage() {
        return (ScanPage) body;
    }

    public IndexPage indexPage() {
        return (IndexPage) body;
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> statusMap() {
        return (Map<String, String>) body;
    }

    public SegmentMap segmentMap() {
        return (SegmentMap) body;
    }

    public ExecResult execResult() {
        return (ExecResult) body;
    }

    public byte[] peerPayload() {
        return ((PeerPayload) body).bytes;
    }

    public PublishResult publishResult() {
        return (PublishResult) body;
    }

    public Subscribed subscribed() {
        return (Subscribed) body;
    }

    /**
     * The answer to SUBSCRIBE.
     *
     * @param subscriptionId the subscription's id on the node (for its logs and {@code channel:list})
     * @param nodeTimeMillis the node's clock when the subscription became ready: a subscriber that
     *        fails over replays streams it has not seen yet from this time on
     */
    public record Subscribed(long subscriptionId, long nodeTimeMillis) {
    }

    // ---- encoding ----

    /** The whole frame, length prefix included. */
    public byte[] encode() {
        WireWriter w = new WireWriter(sizeHint());
        w.u8(status).i32(id);
        if (isError()) {
            w.string(String.valueOf(body)).i64(mapEpoch);
        } else if (body instanceof Record r) {
            writeVersion(w, r.version()).i64(r.expiresAt()).bytes(r.value());
        } else if (body instanceof Version v) {
            writeVersion(w, v);
        } else if (body instanceof Boolean b) {
            w.u8(b ? 1 : 0);
        } else if (body instanceof ExpireResult x) {
            w.u8(x.wireCode());
        } else if (body instanceof Long l) {
            w.i64(l);
        } else if (body instanceof ScanPage p) {
            w.i32(p.records().size());
            for (Record r : p.records()) {
                w.bytes(r.key()).bytes(r.value());
                writeVersion(w, r.version()).i64(r.expiresAt());
            }
            if (p.continuation() == null) {
                w.u8(0);
            } else {
                w.u8(1).bytes(p.continuation());
            }
        } else if (body instanceof IndexPage p) {
            QueryCodec.writePage(w, p);
        } else if (body instanceof Map<?, ?> m) {
            w.i32(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                w.string(String.valueOf(e.getKey())).string(String.valueOf(e.getValue()));
            }
        } else if (body instanceof SegmentMap m) {
            writeMap(w, m);
        } else if (body instanceof PeerPayload p) {
            w.bytes(p.bytes);
        } else if (body instanceof ExecResult x) {
            w.u8(x.ok() ? 1 : 0).string(x.output());
        } else if (body instanceof PublishResult p) {
            ChannelCodec.writePublished(w, p);
        } else if (body instanceof Subscribed x) {
            w.i64(x.subscriptionId()).i64(x.nodeTimeMillis());
        }
        return w.finish();
    }

    /** The exact frame size of the answers sent most (so the frame needs no copy), a guess for the rest. */
    private int sizeHint() {
        int frame = Frames.LENGTH_BYTES + Frames.HEADER_BYTES;
        if (isError()) {
            return frame + 64;
        } else if (body instanceof Record r) {
            return frame + VERSION_BYTES + 8 + 4 + r.value().length;
        } else if (body instanceof Version) {
            return frame + VERSION_BYTES;
        } else if (body instanceof Boolean) {
            return frame + 1;
        } else if (body == null) {
            return frame;
        } else if (body instanceof IndexPage p) {
            return (int) Math.min(Integer.MAX_VALUE - 8, Frames.LENGTH_BYTES + QueryCodec.answerBytes(p));
        }
        return frame + 256;
    }

    // ---- the size of a QUERY answer, for a node to keep it within its frame limit ----

    /** Bytes after the length prefix of the QUERY answer holding {@code page}: what the frame limit bounds. */
    public static long queryAnswerBytes(IndexPage page) {
        return QueryCodec.answerBytes(page);
    }

    /** Bytes one row adds to a QUERY answer. */
    public static long queryRowBytes(IndexRow row) {
        return QueryCodec.rowBytes(row);
    }

    /** Bytes of a QUERY answer besides its rows, with a cursor of {@code cursorBytes} UTF-8 bytes (-1: none). */
    public static int queryAnswerOverhead(int cursorBytes) {
        return QueryCodec.answerOverhead(cursorBytes);
    }

    /**
     * Decodes the bytes after a frame's length prefix.
     *
     * @param requestOpcode the opcode of the request with this id, which fixes the payload layout
     */
    public static Response decode(ByteBuffer body, Opcode requestOpcode) {
        if (body.remaining() < Frames.HEADER_BYTES) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "response shorter than its header", -1);
        }
        int status = body.get() & 0xff;
        int id = body.getInt();
        WireReader r = new WireReader(body, id);
        Response resp;
        if (status >= ErrorCode.WRONG_SEGMENT.wireCode()) {
            String msg = r.string(MAX_TEXT, "message");
            resp = new Response(status, id, msg, r.i64());
        } else if (status == Frames.STATUS_NOT_FOUND) {
            resp = notFound(id);
        } else if (status != Frames.STATUS_OK) {
            throw r.bad("unknown status " + status);
        } else {
            resp = decodeOk(r, id, requestOpcode);
        }
        r.end();
        return resp;
    }

    private static Response decodeOk(WireReader r, int id, Opcode op) {
        switch (op) {
            case EXPIRE: {
                int code = r.u8();
                ExpireResult x = ExpireResult.fromWire(code);
                if (x == null) {
                    throw r.bad("unknown EXPIRE result " + code);
                }
                return expired(id, x);
            }
            case TTL:
                return ttl(id, r.i64());
            case GET: {
                Version v = readVersion(r);
                long expiresAt = r.i64();
                byte[] value = r.bytes(MAX_TEXT, "value");
                return record(id, Record.value(new byte[0], value, v, expiresAt));
            }
            case PUT:
                return version(id, readVersion(r));
            case DEL:
                return deleted(id, r.u8() != 0);
            case SCAN: {
                int n = r.i32();
                if (n < 0 || n > Limits.MAX_SCAN_LIMIT) {
                    throw r.bad("bad record count " + n);
                }
                List<Record> records = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] k = r.bytes(MAX_TEXT, "key");
                    byte[] v = r.bytes(MAX_TEXT, "value");
                    Version ver = readVersion(r);
                    records.add(Record.value(k, v, ver, r.i64()));
                }
                byte[] cont = r.u8() == 0 ? null : r.bytes(MAX_TEXT, "continuation");
                return scan(id, new ScanPage(records, cont));
            }
            case STATUS: {
                int n = r.i32();
                if (n < 0 || n > MAX_MAP_NODES) {
                    throw r.bad("bad status entry count " + n);
                }
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    m.put(r.string(MAX_TEXT, "name"), r.string(MAX_TEXT, "value"));
                }
                return status(id, m);
            }
            case MAP:
                return map(id, readMap(r));
            case QUERY:
                return queryPage(id, QueryCodec.readPage(r));
            case PEER:
                return peer(id, r.bytes(MAX_TEXT, "peer payload"));
            case EXEC: {
                boolean ok = r.u8() != 0;
                return exec(id, ok, r.string(MAX_TEXT, "output"));
            }
            case PUBLISH:
                return published(id, ChannelCodec.readPublished(r));
            case SUBSCRIBE:
                return subscribed(id, new Subscribed(r.i64(), r.i64()));
            case UNSUBSCRIBE:
                return deleted(id, r.u8() != 0);
            default:
                return ok(id);
        }
    }

    /** A version on the wire: int64 timestamp, int32 node id. */
    private static final int VERSION_BYTES = 12;

    private static WireWriter writeVersion(WireWriter w, Version v) {
        return w.i64(v.timestamp()).i32(v.nodeId());
    }

    private static Version readVersion(WireReader r) {
        long ts = r.i64();
        return new Version(ts, r.i32());
    }

    private static void writeMap(WireWriter w, SegmentMap m) {
        w.i64(m.epoch()).i32(m.replicationFactor()).i32(m.segmentCount());
        for (int s = 0; s < m.segmentCount(); s++) {
            List<Integer> reps = m.replicas(s);
            w.u8(reps.size());
            for (int n : reps) {
                w.i32(n);
            }
        }
        w.i32(m.nodes().size());
        for (NodeInfo n : m.nodes().values()) {
            w.i32(n.id()).string(n.host()).i32(n.port());
        }
        int syncing = 0;
        for (java.util.Set<Integer> s : m.allSyncing().values()) {
            syncing += s.size();
        }
        w.i32(syncing);
        for (Map.Entry<Integer, java.util.Set<Integer>> e : m.allSyncing().entrySet()) {
            for (int n : e.getValue()) {
                w.i32(e.getKey()).i32(n);
            }
        }
    }

    private static SegmentMap readMap(WireReader r) {
        long epoch = r.i64();
        int rf = r.i32();
        int segments = r.i32();
        if (segments <= 0 || segments > 1 << 20) {
            throw r.bad("bad segment count " + segments);
        }
        List<List<Integer>> replicas = new ArrayList<>(segments);
        for (int s = 0; s < segments; s++) {
            int n = r.u8();
            List<Integer> reps = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                reps.add(r.i32());
            }
            replicas.add(reps);
        }
        int nodeCount = r.i32();
        if (nodeCount < 0 || nodeCount > MAX_MAP_NODES) {
            throw r.bad("bad node count " + nodeCount);
        }
        Map<Integer, NodeInfo> nodes = new LinkedHashMap<>();
        for (int i = 0; i < nodeCount; i++) {
            int nid = r.i32();
            String host = r.string(1024, "host");
            nodes.put(nid, new NodeInfo(nid, host, r.i32()));
        }
        Map<Integer, java.util.Set<Integer>> syncing = new java.util.TreeMap<>();
        if (r.hasMore()) { // absent in maps from nodes before syncing replicas existed
            int pairs = r.i32();
            if (pairs < 0 || pairs > segments * 256) {
                throw r.bad("bad syncing replica count " + pairs);
            }
            for (int i = 0; i < pairs; i++) {
                int segment = r.i32();
                int node = r.i32();
                if (segment < 0 || segment >= segments) {
                    throw r.bad("syncing replica of segment " + segment + " outside 0.." + (segments - 1));
                }
                syncing.computeIfAbsent(segment, k -> new java.util.TreeSet<>()).add(node);
            }
        }
        return new SegmentMap(epoch, rf, replicas, nodes, syncing);
    }

    @Override
    public String toString() {
        return "Response#" + id + "[status=" + status + "]";
    }

    /** Wraps a PEER answer so it is told apart from other bodies. */
    private static final class PeerPayload {
        private final byte[] bytes;

        PeerPayload(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    /** Output of an EXEC request. */
    public static final class ExecResult {
        private final boolean ok;
        private final String output;

        public ExecResult(boolean ok, String output) {
            this.ok = ok;
            this.output = output == null ? "" : output;
        }

        public boolean ok() {
            return ok;
        }

        public String output() {
            return output;
        }
    }
}

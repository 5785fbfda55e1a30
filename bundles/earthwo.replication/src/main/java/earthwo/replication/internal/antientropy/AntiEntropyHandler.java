package earthwo.replication.internal.antientropy;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerHandler;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.SegmentStore;
import earthwo.replication.internal.antientropy.AeCodec.Entry;
import earthwo.replication.internal.antientropy.AeCodec.Header;
import earthwo.replication.internal.antientropy.AeCodec.In;
import earthwo.replication.internal.antientropy.AeCodec.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The answering side of anti-entropy: serves digests, listings and records of a segment to the
 * initiating master and applies what it pushes. Digests and listings of one pass (one salt) come
 * from one snapshot of the segment, built by one scan and kept for the pass.
 */
final class AntiEntropyHandler implements PeerHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AntiEntropyHandler.class);

    /** Most record bytes in one FETCH answer; the rest is asked for again. */
    static final int MAX_ANSWER_BYTES = 8 << 20;
    private static final long SNAPSHOT_TTL_MS = 60_000;
    private static final int SNAPSHOTS_KEPT = 8;

    private final SegmentStore store;
    private final ClusterView cluster;
    private final AeStats stats;
    private final LongSupplier clock;
    private final ResultListener results;
    private final IndexCache indexes;
    private final IncomingRecords incoming;
    /** The index each segment's current pass (salt) is answered from, and since when. */
    private final Map<Integer, Pinned> passes = new ConcurrentHashMap<>();

    private record Pinned(SegmentIndex index, long salt, long at) {
    }

    /** Told when a master reports the outcome of its pass with this node. */
    interface ResultListener {
        /** @param passEpoch the epoch of the map the master's pass ran under */
        void onResult(int segment, int master, long passEpoch, boolean inSync);
    }

    AntiEntropyHandler(SegmentStore store, ClusterView cluster, AeStats stats, LongSupplier clock, ResultListener results,
                       IndexCache indexes, IncomingRecords incoming) {
        this.store = store;
        this.incoming = incoming;
        this.cluster = cluster;
        this.stats = stats;
        this.clock = clock;
        this.results = results;
        this.indexes = indexes;
    }

    @Override
    public CompletionStage<byte[]> handle(byte[] payload) {
        try {
            stats.messagesHandled.increment();
            stats.bytesReceived.add(payload.length);
            byte[] answer = answer(payload);
            stats.bytesSent.add(answer.length);
            return CompletableFuture.completedFuture(answer);
        } catch (EarthwoException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            LOG.warn("anti-entropy message failed", e);
            return CompletableFuture.failedFuture(new EarthwoException(ErrorCode.INTERNAL, "anti-entropy: " + e, e));
        }
    }

    byte[] answer(byte[] payload) {
        In in = new In(payload);
        Header h = in.header();
        if (h.segment() < 0 || h.segment() >= store.segmentCount()) {
            throw AeCodec.bad("segment " + h.segment() + " out of range");
        }
        switch (h.type()) {
            case AeCodec.DIGEST:
                return digest(h, in);
            case AeCodec.LIST:
                return list(h, in);
            case AeCodec.FETCH:
                return fetch(h, in);
            case AeCodec.PUSH:
                return push(h, in);
            case AeCodec.ALIGN:
                return align(h, in);
            case AeCodec.PURGE:
                return purge(h, in);
            case AeCodec.RESULT: {
                boolean inSync = in.u8() != 0;
                in.end();
                results.onResult(h.segment(), h.fromNode(), h.epoch(), inSync);
                return new byte[0];
            }
            default:
                throw AeCodec.bad("unknown message type " + h.type());
        }
    }

    private SegmentIndex snapshot(int segment, long salt) {
        long now = clock.getAsLong();
        Pinned pinned = passes.get(segment);
        if (pinned != null && pinned.salt == salt && now - pinned.at <= SNAPSHOT_TTL_MS) {
            return pinned.index;
        }
        if (passes.size() >= SNAPSHOTS_KEPT) {
            passes.values().removeIf(p -> now - p.at > SNAPSHOT_TTL_MS);
            if (passes.size() >= SNAPSHOTS_KEPT) {
                passes.clear();
            }
        }
        SegmentIndex index = indexes.get(segment, now);
        passes.put(segment, new Pinned(index, salt, now));
        return index;
    }

    private byte[] digest(Header h, In in) {
        long salt = in.i64();
        int level = in.u8();
        int n = in.count();
        if (level >= Hashing.MAX_LEVEL) {
            throw AeCodec.bad("no children below level " + level);
        }
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long id = in.i64();
            try {
                Hashing.checkNode(level, id);
            } catch (IllegalArgumentException e) {
                throw AeCodec.bad(e.getMessage());
            }
            ids.add(id);
        }
        in.end();
        SegmentIndex idx = snapshot(h.segment(), salt);
        List<int[]> out = new ArrayList<>(n);
        for (long id : ids) {
            out.add(idx.children(level, id, salt));
        }
        return AeCodec.digestResponse(out);
    }

    private byte[] list(Header h, In in) {
        long salt = in.i64();
        int n = in.count();
        List<Node> nodes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            nodes.add(in.node());
        }
        in.end();
        SegmentIndex idx = snapshot(h.segment(), salt);
        List<List<Entry>> out = new ArrayList<>(n);
        for (Node node : nodes) {
            out.add(entries(idx, node));
        }
        return AeCodec.listResponse(out);
    }

    static List<Entry> entries(SegmentIndex idx, Node node) {
        int[] r = idx.range(node.level(), node.id());
        List<Entry> l = new ArrayList<>(r[1] - r[0]);
        for (int i = r[0]; i < r[1]; i++) {
            l.add(new Entry(idx.keyHash(i), idx.timestamp(i), idx.nodeId(i)));
        }
        return l;
    }

    private byte[] fetch(Header h, In in) {
        int n = in.count();
        Set<Long> wanted = new HashSet<>(n * 2);
        for (int i = 0; i < n; i++) {
            wanted.add(in.i64());
        }
        in.end();
        List<Record> out = new ArrayList<>();
        boolean[] truncated = {false};
        int[] bytes = {0};
        scanMatching(store, h.segment(), wanted, r -> {
            int size = AeCodec.recordBytes(r);
            if (!out.isEmpty() && bytes[0] + size > MAX_ANSWER_BYTES) {
                truncated[0] = true;
                return false;
            }
            bytes[0] += size;
            out.add(r);
            return true;
        });
        return AeCodec.recordsResponse(truncated[0], out);
    }

    private byte[] push(Header h, In in) {
        checkReplica(h, false);
        int n = in.count();
        List<Record> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(in.record());
        }
        in.end();
        int applied = 0;
        for (Record r : records) {
            if (incoming.acceptable(r, h.segment(), h.fromNode(), "anti-entropy push") && store.apply(h.segment(), r).applied()) {
                applied++;
            }
        }
        passes.remove(h.segment());
        return AeCodec.ints(applied);
    }

    /** MASTER policy: make this replica's copy of the listed keys equal to the master's. */
    private byte[] align(Header h, In in) {
        checkReplica(h, true);
        int n = in.count();
        List<Record> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(in.record());
        }
        int m = in.count();
        Map<Long, Entry> removals = new HashMap<>(m * 2);
        for (int i = 0; i < m; i++) {
            Entry e = in.entry();
            removals.put(e.keyHash(), e);
        }
        in.end();
        int segment = h.segment();
        int written = 0;
        int overwritten = 0;
        int removed = 0;
        for (Record r : records) {
            if (!incoming.acceptable(r, segment, h.fromNode(), "anti-entropy align")) {
                continue;
            }
            Optional<Record> cur = store.read(segment, r.key());
            if (cur.isPresent() && cur.get().version().equals(r.version())) {
                continue;
            }
            if (cur.isPresent() && cur.get().version().isNewerThan(r.version())) {
                // The replica's newer copy loses to the master's: remove it at its exact version, then
                // store the master's. A write arriving in between wins and is reconciled next pass.
                if (store.purge(segment, cur.get())) {
                    overwritten++;
                }
            }
            if (store.apply(segment, r).applied()) {
                written++;
            }
        }
        if (!removals.isEmpty()) {
            List<Record> doomed = new ArrayList<>();
            scanMatching(store, segment, removals.keySet(), r -> {
                Entry e = removals.get(Hashing.keyHash(r.key()));
                if (e != null && e.timestamp() == r.version().timestamp() && e.nodeId() == r.version().nodeId()) {
                    doomed.add(r);
                }
                return true;
            });
            for (Record r : doomed) {
                if (store.purge(segment, r)) {
                    removed++;
                }
            }
        }
        passes.remove(segment);
        if (written + overwritten + removed > 0) {
            LOG.info("anti-entropy node {} segment {} aligned to master {}: {} written, {} newer replaced, {} removed",
                    cluster.localNodeId(), segment, h.fromNode(), written, overwritten, removed);
        }
        stats.overwritten.add(overwritten);
        stats.removed.add(removed);
        return AeCodec.ints(written, overwritten, removed);
    }

    private byte[] purge(Header h, In in) {
        checkReplica(h, true);
        long cutoff = in.i64();
        in.end();
        int purged = purgeTombstones(store, h.segment(), cutoff).purged();
        stats.tombstonesPurged.add(purged);
        passes.remove(h.segment());
        return AeCodec.ints(purged);
    }

    /** What one tombstone scan of a segment found and removed. */
    record TombstonePurge(int found, int purged) {
    }

    /**
     * Purges every tombstone of the segment whose version is older than {@code cutoffMillis};
     * counts every tombstone it saw, old or not.
     */
    static TombstonePurge purgeTombstones(SegmentStore store, int segment, long cutoffMillis) {
        List<Record> old = new ArrayList<>();
        int found = 0;
        byte[] after = null;
        while (true) {
            List<Record> page = store.scan(segment, new byte[0], after, SegmentIndex.SCAN_PAGE);
            for (Record r : page) {
                if (r.isTombstone()) {
                    found++;
                    if (r.version().wallMillis() < cutoffMillis) {
                        old.add(r);
                    }
                }
            }
            if (page.size() < SegmentIndex.SCAN_PAGE) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        int purged = 0;
        for (Record r : old) {
            if (store.purge(segment, r)) {
                purged++;
            }
        }
        return new TombstonePurge(found, purged);
    }

    /**
     * PUSH needs this node to hold the segment; ALIGN and PURGE also that the sender masters it
     * under this node's map. That is the fence against a stale master: a node that lost its
     * ZooKeeper session stops sending these itself ({@link ClusterView#isMaster}), and one that
     * has not noticed yet is refused by replicas that already have the map naming the new master.
     */
    private void checkReplica(Header h, boolean fromMaster) {
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        if (!map.isReplica(h.segment(), self)) {
            throw EarthwoException.wrongSegment("node " + self + " does not hold segment " + h.segment(), map.epoch());
        }
        if (fromMaster && map.master(h.segment()) != h.fromNode()) {
            throw EarthwoException.wrongSegment("node " + h.fromNode() + " is not the master of segment " + h.segment()
                    + " under map " + map.epoch() + " (master " + map.master(h.segment()) + ")", map.epoch());
        }
    }

    /** Walks the segment and calls {@code visitor} with each record whose key hash is wanted; stops when it returns false. */
    static void scanMatching(SegmentStore store, int segment, Set<Long> keyHashes, java.util.function.Predicate<Record> visitor) {
        if (keyHashes.isEmpty()) {
            return;
        }
        int seen = 0;
        byte[] after = null;
        while (true) {
            List<Record> page = store.scan(segment, new byte[0], after, SegmentIndex.SCAN_PAGE);
            for (Record r : page) {
                if (keyHashes.contains(Hashing.keyHash(r.key()))) {
                    if (!visitor.test(r)) {
                        return;
                    }
                    if (++seen == keyHashes.size()) {
                        return;
                    }
                }
            }
            if (page.size() < SegmentIndex.SCAN_PAGE) {
                return;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    void invalidate(int segment) {
        passes.remove(segment);
    }
}

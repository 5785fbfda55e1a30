package earthwo.replication.internal.antientropy;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Futures;
import earthwo.api.NodeProperties;
import earthwo.api.Record;
import earthwo.api.Version;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.ReconcilePolicy;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.SegmentStore;
import earthwo.replication.internal.antientropy.AeCodec.Entry;
import earthwo.replication.internal.antientropy.AeCodec.Header;
import earthwo.replication.internal.VersionGuard;
import earthwo.replication.internal.antientropy.AeCodec.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The initiating side of anti-entropy (DESIGN §5, §6). For a segment this node masters it walks,
 * with each other live replica, a 16-ary hash tree over the key hash: it asks for the children
 * digests of the nodes that differ, level by level, until a differing node holds few records, then
 * exchanges (keyHash, version) listings of those nodes and moves only the records that differ.
 * Bytes on the wire follow the divergence; CPU and disk follow the segment size (one scan per side
 * per pass of a segment that changed since the side's last scan; see {@link IndexCache}).
 *
 * <p>MERGE: both directions, last writer wins ({@link SegmentStore#apply}). MASTER: the master's
 * copy wins; the replica replaces what differs and removes what the master lacks (ALIGN).
 */
final class AntiEntropy implements AntiEntropyHandler.ResultListener {

    private static final Logger LOG = LoggerFactory.getLogger(AntiEntropy.class);

    /** A differing node holding at most this many records (on the larger side) is listed, not split. */
    static final int LIST_THRESHOLD = 16;
    /** A node one side lacks entirely is listed directly up to this many records. */
    static final int ONE_SIDED_LIST_MAX = 50_000;
    static final int MAX_NODES_PER_MESSAGE = 4096;
    static final int MAX_ENTRIES_PER_LIST = 100_000;
    static final int MAX_HASHES_PER_FETCH = 4096;
    static final int MAX_PUSH_BYTES = 4 << 20;

    private final SegmentStore store;
    private final ClusterView cluster;
    private final Supplier<PeerLinks> links;
    private final long graceMillis;
    private final LongSupplier clock;
    private final Duration timeout;
    final AeStats stats;
    final AntiEntropyHandler handler;
    private final SplittableRandom random = new SplittableRandom();
    private final IndexCache indexes;
    final IncomingRecords incoming;

    /** Segment → replicas found in sync with this node by the last pass. */
    private final Map<Integer, Set<Integer>> inSync = new ConcurrentHashMap<>();
    private final Map<Integer, Long> lastPass = new ConcurrentHashMap<>();
    /** Sole replicas' segments: the change count at which a scan found no tombstone at all. */
    private final Map<Integer, Long> tombstoneFreeAt = new ConcurrentHashMap<>();

    AntiEntropy(SegmentStore store, ClusterView cluster, Supplier<PeerLinks> links, long graceMillis,
                LongSupplier clock, Duration timeout) {
        this(store, cluster, links, graceMillis, clock, timeout,
                new VersionGuard(cluster.localNodeId(), System::currentTimeMillis,
                        Long.parseLong(NodeProperties.CLOCK_MAX_OFFSET_DEFAULT)));
    }

    /** @param guard checks the versions of records other replicas send (against the wall clock, not {@code clock}) */
    AntiEntropy(SegmentStore store, ClusterView cluster, Supplier<PeerLinks> links, long graceMillis,
                LongSupplier clock, Duration timeout, VersionGuard guard) {
        this.store = store;
        this.cluster = cluster;
        this.links = links;
        this.graceMillis = graceMillis;
        this.clock = clock;
        this.timeout = timeout;
        this.stats = new AeStats();
        this.indexes = new IndexCache(store, graceMillis, stats);
        this.incoming = new IncomingRecords(cluster, guard);
        this.handler = new AntiEntropyHandler(store, cluster, stats, clock, this, indexes, incoming);
    }

    /** Outcome of one pass of a segment with one peer. */
    static final class PeerResult {
        final int peer;
        boolean ok;
        String failure;
        long compared;
        long listed;
        int differingNodes;
        long pulled;
        long pushed;
        long overwritten;
        long removed;
        long bytesSent;
        long bytesReceived;

        PeerResult(int peer) {
            this.peer = peer;
        }

        boolean found() {
            return differingNodes > 0;
        }

        @Override
        public String toString() {
            return "peer " + peer + (ok ? "" : " FAILED (" + failure + ")") + ": compared " + compared + ", listed " + listed
                    + ", pulled " + pulled + ", pushed " + pushed + ", overwritten " + overwritten + ", removed " + removed
                    + ", sent " + bytesSent + " B, received " + bytesReceived + " B";
        }
    }

    /** Runs a pass for every segment this node masters. */
    void runAll() {
        if (links.get() == null) {
            return;
        }
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        for (int s = 0; s < map.segmentCount(); s++) {
            if (cluster.isMaster(s)) {
                try {
                    passSegment(s);
                } catch (RuntimeException e) {
                    LOG.warn("anti-entropy node {} segment {}: pass failed: {}", self, s, e.toString());
                }
            }
        }
    }

    /**
     * One pass of a segment against each other live replica (only if this node is its master and
     * not fenced, see {@link ClusterView#isMaster});
     * purges old tombstones when every replica was found in sync. Package-private trigger for a
     * future shell command ({@code AntiEntropyComponent#passNow}).
     */
    List<PeerResult> passSegment(int segment) {
        return passSegment(segment, false);
    }

    /**
     * As {@link #passSegment(int)}; with {@code syncingOnly} only against the segment's syncing
     * replicas (they wait for this pass to serve; the serving ones are left to the periodic pass,
     * and no tombstone is purged).
     */
    List<PeerResult> passSegment(int segment, boolean syncingOnly) {
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        List<PeerResult> results = new ArrayList<>();
        if (!cluster.isMaster(segment)) {
            return results;
        }
        long now = clock.getAsLong();
        long cutoff = now - graceMillis;
        if (map.replicas(segment).size() <= 1) {
            purgeSoleReplica(segment, now, cutoff);
            return results;
        }
        ReconcilePolicy policy = cluster.reconcilePolicy();
        SegmentIndex local = indexes.get(segment, now);
        boolean allInSync = !syncingOnly;
        for (int peer : map.replicas(segment)) {
            if (peer == self || (syncingOnly && !map.isSyncing(segment, peer))) {
                continue;
            }
            if (!map.nodes().containsKey(peer)) {
                markSync(segment, peer, false);
                allInSync = false;
                continue;
            }
            // A syncing peer takes the master's copy whatever the policy: what it holds from an
            // earlier time it was a replica (keys deleted and purged since, old values) must
            // not flow back into the serving replicas.
            ReconcilePolicy effective = map.isSyncing(segment, peer) ? ReconcilePolicy.MASTER : policy;
            PeerResult r = syncWithPeer(segment, peer, local, effective, map.epoch());
            results.add(r);
            if (r.ok && r.found()) {
                // Repaired: confirm with a fresh look at the root before calling the peer in sync.
                local = indexes.get(segment, clock.getAsLong());
                PeerResult confirm = new PeerResult(peer);
                try {
                    compare(segment, peer, local, map.epoch(), confirm, 0);
                    r.ok = !confirm.found();
                    if (!r.ok) {
                        r.failure = "still differs after the repair (writes during the pass); the next pass repairs it";
                    }
                } catch (RuntimeException e) {
                    r.ok = false;
                    r.failure = "confirming the repair: " + e;
                }
                r.bytesSent += confirm.bytesSent;
                r.bytesReceived += confirm.bytesReceived;
                markSync(segment, peer, r.ok);
            } else {
                markSync(segment, peer, r.ok && !r.found());
            }
            boolean peerInSync = inSync.getOrDefault(segment, Set.of()).contains(peer);
            allInSync &= peerInSync;
            notifyResult(segment, peer, map.epoch(), peerInSync);
            log(segment, effective, r);
        }
        long done = clock.getAsLong();
        lastPass.put(segment, done);
        stats.lastPassMillis.set(done);
        stats.passes.increment();
        if (allInSync && !local.oldTombstones.isEmpty()) {
            purge(segment, map, cutoff);
        }
        return results;
    }

    /**
     * A segment with no other replica has nobody to compare with: building its index would scan
     * and hash every record each interval for nothing (on one node with 1M keys that was a
     * quarter of the node's CPU under load). Its old tombstones must still go, so it is scanned
     * for them alone, at most every quarter of the grace after the last pass of any kind: a
     * tombstone lives at most 1.25 × grace. A scan is skipped while the segment is unchanged
     * since a scan that found no tombstone at all (a node at rest scans nothing).
     */
    private void purgeSoleReplica(int segment, long now, long cutoff) {
        Long last = lastPass.get(segment);
        if (last != null && now - last < graceMillis / 4) {
            return;
        }
        lastPass.put(segment, now);
        long changesBefore = store.changeCount(segment);
        Long free = tombstoneFreeAt.get(segment);
        if (free != null && changesBefore >= 0 && free == changesBefore) {
            stats.tombstoneScansSkipped.increment();
            return;
        }
        AntiEntropyHandler.TombstonePurge scan = AntiEntropyHandler.purgeTombstones(store, segment, cutoff);
        stats.tombstoneScans.increment();
        stats.tombstonesPurged.add(scan.purged());
        if (scan.found() == 0 && changesBefore >= 0) {
            // Counted before the scan: a write during it makes the next look scan again.
            tombstoneFreeAt.put(segment, changesBefore);
        } else {
            tombstoneFreeAt.remove(segment);
        }
        if (scan.purged() > 0) {
            LOG.info("anti-entropy node {} segment {}: sole replica, purged {} tombstones older than {} ms",
                    cluster.localNodeId(), segment, scan.purged(), graceMillis);
        }
    }

    private void log(int segment, ReconcilePolicy policy, PeerResult r) {
        int self = cluster.localNodeId();
        if (!r.ok) {
            LOG.warn("anti-entropy node {} segment {} peer {} policy {}: {}", self, segment, r.peer, policy, r);
        } else if (r.found()) {
            LOG.info("anti-entropy node {} segment {} peer {} policy {}: keys compared {}, listed {}, repaired (pulled) {}, "
                    + "pushed {}, overwritten {}, removed {}; {} B sent, {} B received", self, segment, r.peer, policy,
                    r.compared, r.listed, r.pulled, r.pushed, r.overwritten, r.removed, r.bytesSent, r.bytesReceived);
        } else {
            LOG.debug("anti-entropy node {} segment {} peer {}: in sync ({} keys compared)", self, segment, r.peer, r.compared);
        }
    }

    private void purge(int segment, SegmentMap map, long cutoff) {
        int self = cluster.localNodeId();
        int purged = AntiEntropyHandler.purgeTombstones(store, segment, cutoff).purged();
        Header h = new Header(AeCodec.PURGE, segment, self, map.epoch());
        for (int peer : map.replicas(segment)) {
            if (peer != self) {
                try {
                    purged += AeCodec.decodeInts(call(peer, AeCodec.purgeRequest(h, cutoff), null), 1)[0];
                } catch (RuntimeException e) {
                    LOG.warn("anti-entropy node {} segment {}: tombstone purge on node {} failed: {}", self, segment, peer, e.toString());
                }
            }
        }
        stats.tombstonesPurged.add(purged);
        LOG.info("anti-entropy node {} segment {}: every replica in sync, purged {} tombstones older than {} ms",
                self, segment, purged, graceMillis);
    }

    private void notifyResult(int segment, int peer, long epoch, boolean ok) {
        try {
            call(peer, AeCodec.resultRequest(new Header(AeCodec.RESULT, segment, cluster.localNodeId(), epoch), ok), null);
        } catch (RuntimeException e) {
            LOG.debug("anti-entropy segment {}: could not tell node {} the result: {}", segment, peer, e.toString());
        }
    }

    private void markSync(int segment, int peer, boolean ok) {
        Set<Integer> set = inSync.computeIfAbsent(segment, k -> ConcurrentHashMap.newKeySet());
        if (ok) {
            set.add(peer);
        } else {
            set.remove(peer);
        }
    }

    /**
     * The master's verdict on this node's replica. A syncing replica that was found in sync has
     * caught up: it asks the controller to let it serve.
     */
    @Override
    public void onResult(int segment, int master, long passEpoch, boolean ok) {
        markSync(segment, master, ok);
        lastPass.put(segment, clock.getAsLong());
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        if (ok && segment >= 0 && segment < map.segmentCount() && map.master(segment) == master
                && map.isSyncing(segment, self)) {
            cluster.markCaughtUp(segment, passEpoch);
        }
    }

    /** Segments this node masters (and may act for) that have a syncing replica. */
    java.util.Set<Integer> masteredWithSyncingReplicas() {
        SegmentMap map = cluster.currentMap();
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        for (int s : map.allSyncing().keySet()) {
            if (cluster.isMaster(s)) {
                out.add(s);
            }
        }
        return out;
    }

    PeerResult syncWithPeer(int segment, int peer, SegmentIndex local, ReconcilePolicy policy, long epoch) {
        PeerResult r = new PeerResult(peer);
        try {
            List<Node> toList = compare(segment, peer, local, epoch, r, Integer.MAX_VALUE);
            if (!toList.isEmpty()) {
                reconcile(segment, peer, local, policy, epoch, toList, r);
            }
            r.ok = true;
        } catch (RuntimeException e) {
            r.ok = false;
            r.failure = e.toString();
            stats.passesFailed.increment();
        }
        stats.keysCompared.add(r.compared);
        stats.keysListed.add(r.listed);
        stats.repaired.add(r.pulled);
        stats.pushed.add(r.pushed);
        return r;
    }

    /**
     * Walks the tree down from the root; returns the differing nodes to list. {@code maxLevels}
     * limits the descent (0: compare the root's children only).
     */
    List<Node> compare(int segment, int peer, SegmentIndex local, long epoch, PeerResult r, int maxLevels) {
        long salt = random.nextLong();
        Header h = new Header(AeCodec.DIGEST, segment, cluster.localNodeId(), epoch);
        List<Node> toList = new ArrayList<>();
        List<Long> ids = List.of(0L);
        int level = 0;
        long remoteTotal = 0;
        while (!ids.isEmpty()) {
            List<Long> next = new ArrayList<>();
            for (int from = 0; from < ids.size(); from += MAX_NODES_PER_MESSAGE) {
                List<Long> batch = ids.subList(from, Math.min(ids.size(), from + MAX_NODES_PER_MESSAGE));
                List<int[]> remote = AeCodec.decodeDigestResponse(call(peer, AeCodec.digestRequest(h, salt, level, batch), r));
                if (remote.size() != batch.size()) {
                    throw new EarthwoException(ErrorCode.INTERNAL, "digest answer for " + remote.size() + " nodes, asked " + batch.size());
                }
                for (int j = 0; j < batch.size(); j++) {
                    long parent = batch.get(j);
                    int[] mine = local.children(level, parent, salt);
                    int[] theirs = remote.get(j);
                    for (int c = 0; c < Hashing.FANOUT; c++) {
                        int lc = mine[2 * c + 1];
                        int rc = theirs[2 * c + 1];
                        if (level == 0) {
                            remoteTotal += rc;
                        }
                        if (mine[2 * c] == theirs[2 * c] && lc == rc) {
                            continue;
                        }
                        r.differingNodes++;
                        int childLevel = level + 1;
                        long child = (parent << Hashing.BITS_PER_LEVEL) | c;
                        int max = Math.max(lc, rc);
                        boolean oneSided = lc == 0 || rc == 0;
                        if (childLevel == Hashing.MAX_LEVEL || max <= LIST_THRESHOLD || (oneSided && max <= ONE_SIDED_LIST_MAX)) {
                            toList.add(new Node(childLevel, child));
                        } else {
                            next.add(child);
                        }
                    }
                }
            }
            if (level == 0) {
                r.compared = Math.max(local.size(), remoteTotal);
            }
            if (level >= maxLevels) {
                break;
            }
            level++;
            ids = next;
        }
        return toList;
    }

    private void reconcile(int segment, int peer, SegmentIndex local, ReconcilePolicy policy, long epoch,
                           List<Node> toList, PeerResult r) {
        int self = cluster.localNodeId();
        Header h = new Header(AeCodec.LIST, segment, self, epoch);
        long salt = random.nextLong();
        List<Long> pull = new ArrayList<>();
        Set<Long> send = new LinkedHashSet<>();
        List<Entry> remove = new ArrayList<>();
        boolean master = policy == ReconcilePolicy.MASTER;
        int from = 0;
        while (from < toList.size()) {
            // Batch nodes so one answer stays bounded (by the larger side's record count).
            List<Node> batch = new ArrayList<>();
            long expected = 0;
            while (from < toList.size() && batch.size() < MAX_NODES_PER_MESSAGE) {
                Node n = toList.get(from);
                int[] range = local.range(n.level(), n.id());
                long size = Math.max(range[1] - range[0], LIST_THRESHOLD);
                if (!batch.isEmpty() && expected + size > MAX_ENTRIES_PER_LIST) {
                    break;
                }
                batch.add(n);
                expected += size;
                from++;
            }
            List<List<Entry>> listings = AeCodec.decodeListResponse(call(peer, AeCodec.listRequest(h, salt, batch), r));
            if (listings.size() != batch.size()) {
                throw new EarthwoException(ErrorCode.INTERNAL, "listing of " + listings.size() + " nodes, asked " + batch.size());
            }
            for (int i = 0; i < batch.size(); i++) {
                Map<Long, Entry> theirs = new HashMap<>();
                for (Entry e : listings.get(i)) {
                    theirs.put(e.keyHash(), e);
                }
                r.listed += theirs.size();
                for (Entry mine : AntiEntropyHandler.entries(local, batch.get(i))) {
                    Entry other = theirs.remove(mine.keyHash());
                    if (other == null) {
                        send.add(mine.keyHash());
                    } else {
                        int cmp = mine.version().compareTo(other.version());
                        if (cmp > 0 || (cmp < 0 && master)) {
                            send.add(mine.keyHash());
                        } else if (cmp < 0) {
                            pull.add(other.keyHash());
                        }
                    }
                }
                for (Entry other : theirs.values()) {
                    if (master) {
                        remove.add(other);
                    } else {
                        pull.add(other.keyHash());
                    }
                }
            }
        }
        if (!pull.isEmpty()) {
            r.pulled += fetchAndApply(segment, peer, epoch, pull, r);
        }
        if (master) {
            align(segment, peer, epoch, send, remove, r);
        } else if (!send.isEmpty()) {
            pushRecords(segment, peer, epoch, send, r);
        }
    }

    private long fetchAndApply(int segment, int peer, long epoch, List<Long> hashes, PeerResult r) {
        Header h = new Header(AeCodec.FETCH, segment, cluster.localNodeId(), epoch);
        long applied = 0;
        List<Long> pending = new ArrayList<>(hashes);
        while (!pending.isEmpty()) {
            List<Long> batch = new ArrayList<>(pending.subList(0, Math.min(pending.size(), MAX_HASHES_PER_FETCH)));
            pending.subList(0, batch.size()).clear();
            AeCodec.Fetched got = AeCodec.decodeRecordsResponse(call(peer, AeCodec.fetchRequest(h, batch), r));
            Set<Long> received = new HashSet<>();
            for (Record rec : got.records()) {
                received.add(Hashing.keyHash(rec.key()));
                if (incoming.acceptable(rec, segment, peer, "anti-entropy fetch") && store.apply(segment, rec).applied()) {
                    applied++;
                }
            }
            if (got.truncated()) {
                if (got.records().isEmpty()) {
                    throw new EarthwoException(ErrorCode.INTERNAL, "peer " + peer + " returned a truncated empty answer");
                }
                for (long k : batch) {
                    if (!received.contains(k)) {
                        pending.add(k);
                    }
                }
            }
        }
        return applied;
    }

    private List<List<Record>> readBatches(int segment, Set<Long> hashes) {
        List<List<Record>> batches = new ArrayList<>();
        List<Record> current = new ArrayList<>();
        int[] bytes = {0};
        List<List<Record>> out = batches;
        AntiEntropyHandler.scanMatching(store, segment, hashes, rec -> {
            int size = AeCodec.recordBytes(rec);
            if (!current.isEmpty() && bytes[0] + size > MAX_PUSH_BYTES) {
                out.add(new ArrayList<>(current));
                current.clear();
                bytes[0] = 0;
            }
            current.add(rec);
            bytes[0] += size;
            return true;
        });
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    private void pushRecords(int segment, int peer, long epoch, Set<Long> hashes, PeerResult r) {
        Header h = new Header(AeCodec.PUSH, segment, cluster.localNodeId(), epoch);
        for (List<Record> batch : readBatches(segment, hashes)) {
            r.pushed += AeCodec.decodeInts(call(peer, AeCodec.pushRequest(h, batch), r), 1)[0];
        }
    }

    private void align(int segment, int peer, long epoch, Set<Long> hashes, List<Entry> removals, PeerResult r) {
        Header h = new Header(AeCodec.ALIGN, segment, cluster.localNodeId(), epoch);
        List<List<Record>> batches = readBatches(segment, hashes);
        if (batches.isEmpty() && !removals.isEmpty()) {
            batches.add(List.of());
        }
        for (int i = 0; i < batches.size(); i++) {
            List<Entry> rem = i == batches.size() - 1 ? removals : List.of();
            int[] res = AeCodec.decodeInts(call(peer, AeCodec.alignRequest(h, batches.get(i), rem), r), 3);
            r.pushed += res[0];
            r.overwritten += res[1];
            r.removed += res[2];
        }
        stats.overwritten.add(r.overwritten);
        stats.removed.add(r.removed);
    }

    private byte[] call(int peer, byte[] payload, PeerResult r) {
        PeerLinks l = links.get();
        if (l == null) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "no peer links");
        }
        stats.bytesSent.add(payload.length);
        byte[] answer = Futures.join(l.call(peer, payload, timeout));
        stats.bytesReceived.add(answer.length);
        if (r != null) {
            r.bytesSent += payload.length;
            r.bytesReceived += answer.length;
        }
        return answer;
    }

    // ---------------------------------------------------------------- ReplicaSync / status

    Map<Integer, Set<Integer>> inSync() {
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        Map<Integer, Set<Integer>> out = new java.util.TreeMap<>();
        for (int s : map.segmentsOf(self)) {
            Set<Integer> set = new java.util.TreeSet<>(inSync.getOrDefault(s, Set.of()));
            set.retainAll(map.replicas(s));
            out.put(s, java.util.Collections.unmodifiableSet(set));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** See {@link earthwo.api.cluster.ReplicaSync#confirmedInSync}: read on every read of a missing key. */
    boolean confirmedInSync(int segment) {
        Set<Integer> peers = inSync.get(segment);
        return peers != null && !peers.isEmpty();
    }

    long lastPass(int segment) {
        return lastPass.getOrDefault(segment, 0L);
    }

    /** Segments this node holds where some other replica is not known to be in sync. */
    int outOfSyncSegments() {
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        int n = 0;
        for (Map.Entry<Integer, Set<Integer>> e : inSync().entrySet()) {
            int others = map.replicas(e.getKey()).size() - 1;
            if (map.master(e.getKey()) == self ? e.getValue().size() < others : !e.getValue().contains(map.master(e.getKey()))) {
                n++;
            }
        }
        return n;
    }

    /** Segments this node masters (and may act for) where some other replica is not known to be in sync. */
    Set<Integer> outOfSyncMastered() {
        SegmentMap map = cluster.currentMap();
        Set<Integer> out = new java.util.TreeSet<>();
        for (Map.Entry<Integer, Set<Integer>> e : inSync().entrySet()) {
            if (cluster.isMaster(e.getKey()) && e.getValue().size() < map.replicas(e.getKey()).size() - 1) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    static Version version(Entry e) {
        return e.version();
    }
}

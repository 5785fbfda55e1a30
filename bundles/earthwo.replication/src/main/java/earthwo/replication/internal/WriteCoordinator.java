package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Kv;
import earthwo.api.Limits;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Segments;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.cluster.ClusterView;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.SegmentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The write path of DESIGN §5 on the coordinating replica: checks the request, stamps a
 * {@link Version} from the hybrid clock, commits the record in one local transaction
 * (last writer wins), then hands it to the other replicas and answers after the write concern.
 * Reads go to the local store and never return deleted or expired keys.
 */
final class WriteCoordinator implements Kv {

    private static final Logger LOG = LoggerFactory.getLogger(WriteCoordinator.class);
    /** Re-stamps allowed when a newer version is already stored (a clock far behind a replica's). */
    private static final int MAX_RESTAMPS = 8;

    private final SegmentStore store;
    private final ClusterView cluster;
    private final HybridClock clock;
    private final ReplicaTransport transport;
    private final LongSupplier wallClock;
    private final int maxKeyBytes;
    private final int maxValueBytes;
    private final WriteConcern defaultConcern;

    final LongAdder puts = new LongAdder();
    final LongAdder deletes = new LongAdder();
    final LongAdder gets = new LongAdder();
    final LongAdder scans = new LongAdder();
    final LongAdder restamps = new LongAdder();

    WriteCoordinator(SegmentStore store, ClusterView cluster, ReplicaTransport transport, LongSupplier wallClock,
                     int maxKeyBytes, int maxValueBytes, WriteConcern defaultConcern) {
        this.store = store;
        this.cluster = cluster;
        this.transport = transport;
        this.wallClock = wallClock;
        this.clock = new HybridClock(cluster.localNodeId(), wallClock);
        this.maxKeyBytes = maxKeyBytes;
        this.maxValueBytes = maxValueBytes;
        this.defaultConcern = defaultConcern == WriteConcern.DEFAULT ? WriteConcern.QUORUM : defaultConcern;
    }

    @Override
    public Optional<Record> get(byte[] key) {
        Limits.checkKey(key, maxKeyBytes);
        gets.increment();
        int segment = segmentOf(key);
        return store.read(segment, key).filter(r -> r.isLiveAt(wallClock.getAsLong()));
    }

    @Override
    public CompletionStage<Version> putAsync(byte[] key, byte[] value, WriteOptions options) {
        try {
            Limits.checkKey(key, maxKeyBytes);
            Limits.checkValue(value, maxValueBytes);
            long expiresAt = options.expiresAt();
            if (expiresAt != Record.NEVER && expiresAt <= wallClock.getAsLong()) {
                throw new EarthwoException(ErrorCode.BAD_REQUEST, "expiresAt " + expiresAt + " is not in the future");
            }
            puts.increment();
            int segment = segmentOf(key);
            Record committed = commit(segment, v -> Record.value(key, value, v, expiresAt));
            return replicate(segment, committed, options.concern()).thenApply(x -> committed.version());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Boolean> deleteAsync(byte[] key, WriteOptions options) {
        try {
            Limits.checkKey(key, maxKeyBytes);
            deletes.increment();
            int segment = segmentOf(key);
            Optional<Record> existing = store.read(segment, key);
            if (existing.isEmpty() || existing.get().isTombstone()) {
                return CompletableFuture.completedFuture(false);
            }
            boolean wasLive = existing.get().isLiveAt(wallClock.getAsLong());
            Record committed = commit(segment, v -> Record.tombstone(key, v));
            return replicate(segment, committed, options.concern()).thenApply(x -> wasLive);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public ScanPage scan(byte[] prefix, byte[] startAfter, int limit) {
        if (limit <= 0 || limit > Limits.MAX_SCAN_LIMIT) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "scan limit must be 1.." + Limits.MAX_SCAN_LIMIT);
        }
        scans.increment();
        SegmentMap map = cluster.currentMap();
        List<Integer> segments = map.segmentsOf(cluster.localNodeId());
        return new MergedScan(store, prefix == null ? new byte[0] : prefix, wallClock.getAsLong(), limit)
                .run(segments, startAfter, limit);
    }

    /**
     * Stamps and applies a record locally. If the store already holds a newer version (stamped
     * by a replica whose clock is ahead), the clock observes it and the write is stamped again,
     * so a single writer's update is never lost to clock skew.
     */
    private Record commit(int segment, java.util.function.Function<Version, Record> build) {
        for (int attempt = 0; attempt < MAX_RESTAMPS; attempt++) {
            Record record = build.apply(clock.next());
            SegmentStore.ApplyResult result = store.apply(segment, record);
            if (result.applied()) {
                return record;
            }
            restamps.increment();
            clock.observe(result.previous().version());
        }
        throw new EarthwoException(ErrorCode.INTERNAL, "could not stamp a version newer than the stored one in segment " + segment);
    }

    private CompletableFuture<Void> replicate(int segment, Record record, WriteConcern concern) {
        List<Integer> replicas = cluster.currentMap().replicas(segment);
        List<Integer> remote = new ArrayList<>(replicas.size());
        for (int node : replicas) {
            if (node != clock.nodeId()) {
                remote.add(node);
            }
        }
        int acks = concern.acksNeeded(Math.max(1, replicas.size()), defaultConcern);
        CompletableFuture<Void> done = QuorumWrite.replicate(transport, segment, record, remote, acks);
        if (LOG.isDebugEnabled()) {
            LOG.debug("node {} segment {} key {} committed {} (W={} of {})", clock.nodeId(), segment,
                    Keys.printable(record.key()), record.version(), acks, replicas.size());
        }
        return done;
    }

    /** Segment of a key, after checking this node holds it under the current map. */
    private int segmentOf(byte[] key) {
        SegmentMap map = cluster.currentMap();
        int segment = Segments.segmentOf(key, map.segmentCount());
        if (!map.isReplica(segment, clock.nodeId())) {
            throw EarthwoException.wrongSegment("node " + clock.nodeId() + " does not hold segment " + segment
                    + " (replicas " + map.replicas(segment) + ")", map.epoch());
        }
        return segment;
    }

    long clockDriftMillis() {
        return clock.driftMillis();
    }
}

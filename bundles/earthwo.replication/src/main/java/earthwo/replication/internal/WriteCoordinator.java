package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.ExpireResult;
import earthwo.api.Expiry;
import earthwo.api.Futures;
import earthwo.api.Keys;
import earthwo.api.Kv;
import earthwo.api.Limits;
import earthwo.api.NodeProperties;
import earthwo.api.Record;
import earthwo.api.ScanPage;
import earthwo.api.Segments;
import earthwo.api.Version;
import earthwo.api.WriteConcern;
import earthwo.api.WriteOptions;
import earthwo.api.cluster.ClusterView;
import earthwo.api.hooks.EventType;
import earthwo.api.cluster.PeerLinks;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.storage.HintStore;
import earthwo.api.storage.SegmentStore;
import earthwo.replication.internal.PeerMessages.Forward;
import earthwo.replication.internal.PeerMessages.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The write path of DESIGN §5 on the coordinating replica: checks the request, stamps a
 * {@link Version} from the hybrid clock, commits the record in one local transaction
 * (last writer wins), then hands it to the other replicas and answers after the write concern.
 * A replica that is not live, or whose send fails or times out, gets a durable hint.
 * A node that does not hold the key's segment forwards the write to the segment's master (or the
 * next live replica), which stamps it. Replica writes from other coordinators arrive through
 * {@link #applyReplica}. Reads go to the local store and never return deleted or expired keys.
 */
final class WriteCoordinator implements Kv {

    private static final Logger LOG = LoggerFactory.getLogger(WriteCoordinator.class);
    /** Re-stamps allowed when a newer version is already stored (a clock far behind a replica's). */
    private static final int MAX_RESTAMPS = 8;
    /** Attempts of a change derived from the stored record when other writes keep changing it. */
    private static final int MAX_DERIVE_ATTEMPTS = 16;

    /** Forwards a write at most this many times (a map change while it travels). */
    static final int MAX_HOPS = 2;

    private final SegmentStore store;
    private final ClusterView cluster;
    private final VersionGuard guard;
    /** Segments whose copy here anti-entropy confirmed in sync: a key missing there is absent. */
    private volatile IntPredicate missesAreAbsent = segment -> false;
    private final HybridClock clock;
    private final ReplicaTransport transport;
    private final HintStore hints;
    private final Supplier<PeerLinks> links;
    private final Duration forwardTimeout;
    /** How long a read of a missing key waits for the other replicas. */
    private final Duration replicaReadTimeout = Duration.ofMillis(1000);
    final LongAdder readRepairs = new LongAdder();
    final LongAdder readsAskedReplicas = new LongAdder();
    private final LongSupplier wallClock;
    private final int maxKeyBytes;
    private final int maxValueBytes;
    private final WriteConcern defaultConcern;

    final LongAdder puts = new LongAdder();
    final LongAdder deletes = new LongAdder();
    final LongAdder expiryChanges = new LongAdder();
    /** Expired keys deleted by this node's reaper. */
    final LongAdder reaped = new LongAdder();
    final LongAdder gets = new LongAdder();
    final LongAdder scans = new LongAdder();
    final LongAdder restamps = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder forwardsReceived = new LongAdder();
    final LongAdder appliesReceived = new LongAdder();
    final LongAdder appliesStale = new LongAdder();
    final LongAdder hintsWritten = new LongAdder();
    final LongAdder hintFailures = new LongAdder();
    /** Writes passed to another replica because this node's clock was too far ahead. */
    final LongAdder writesHandedOver = new LongAdder();
    private volatile long lastClockWarning = Long.MIN_VALUE / 2;

    /** A coordinator without node-to-node links or hints (a single node, or tests). */
    WriteCoordinator(SegmentStore store, ClusterView cluster, ReplicaTransport transport, LongSupplier wallClock,
                     int maxKeyBytes, int maxValueBytes, WriteConcern defaultConcern) {
        this(store, cluster, transport, null, () -> null, Duration.ofSeconds(5), wallClock, maxKeyBytes, maxValueBytes,
                defaultConcern);
    }

    /** A coordinator with the default maximum clock offset. */
    WriteCoordinator(SegmentStore store, ClusterView cluster, ReplicaTransport transport, HintStore hints,
                     Supplier<PeerLinks> links, Duration forwardTimeout, LongSupplier wallClock,
                     int maxKeyBytes, int maxValueBytes, WriteConcern defaultConcern) {
        this(store, cluster, transport, hints, links, forwardTimeout, wallClock, maxKeyBytes, maxValueBytes,
                defaultConcern, Long.parseLong(NodeProperties.CLOCK_MAX_OFFSET_DEFAULT));
    }

    /**
     * @param hints where writes a replica missed are kept (null: none kept)
     * @param links the node-to-node links used to forward writes of segments this node does not
     *        hold; returns null while there are none (such writes are then WRONG_SEGMENT)
     * @param maxClockOffsetMs how far ahead of the wall clock a version may be (see {@link VersionGuard})
     */
    WriteCoordinator(SegmentStore store, ClusterView cluster, ReplicaTransport transport, HintStore hints,
                     Supplier<PeerLinks> links, Duration forwardTimeout, LongSupplier wallClock,
                     int maxKeyBytes, int maxValueBytes, WriteConcern defaultConcern, long maxClockOffsetMs) {
        this.store = store;
        this.cluster = cluster;
        this.transport = transport;
        this.hints = hints;
        this.links = links;
        this.forwardTimeout = forwardTimeout;
        this.wallClock = wallClock;
        this.guard = new VersionGuard(cluster.localNodeId(), wallClock, maxClockOffsetMs);
        this.clock = new HybridClock(cluster.localNodeId(), wallClock, guard);
        this.maxKeyBytes = maxKeyBytes;
        this.maxValueBytes = maxValueBytes;
        this.defaultConcern = defaultConcern == WriteConcern.DEFAULT ? WriteConcern.QUORUM : defaultConcern;
    }

    @Override
    public Optional<Record> get(byte[] key) {
        return earthwo.api.Futures.join(getAsync(key));
    }

    /**
     * Reads the local replica. When it has no record of the key at all, other replicas are live
     * and anti-entropy has not yet found this copy of the segment in sync since the node started,
     * it asks them (a node that was down may not have caught up yet: a missing key is the one
     * thing it cannot tell from an absent one), keeps the newest answer locally (read repair) and
     * returns that. Once the copy is confirmed, a miss costs no message to another node. Reads of keys that exist never leave the node — unless this node's replica
     * of the segment is still syncing (just added, see {@link SegmentMap#isSyncing}): then its
     * copy may be stale and the serving replicas are asked too; the newest answer wins.
     */
    @Override
    public CompletionStage<Optional<Record>> getAsync(byte[] key) {
        try {
            Limits.checkKey(key, maxKeyBytes);
            gets.increment();
            int segment = segmentOf(key);
            Optional<Record> local = store.read(segment, key);
            PeerLinks l = links.get();
            SegmentMap map = cluster.currentMap();
            boolean syncing = map.isSyncing(segment, clock.nodeId());
            boolean trustLocal = !syncing && (local.isPresent() || missesAreAbsent.test(segment));
            List<Integer> others = trustLocal || l == null ? List.of() : liveRemoteReplicas(map, segment, syncing);
            if (others.isEmpty()) {
                return CompletableFuture.completedFuture(local.filter(r -> r.isLiveAt(wallClock.getAsLong())));
            }
            readsAskedReplicas.increment();
            byte[] ask = PeerMessages.encodeRead(segment, key);
            List<CompletableFuture<Optional<Record>>> answers = new ArrayList<>(others.size());
            for (int node : others) {
                answers.add(l.call(node, ask, replicaReadTimeout).toCompletableFuture()
                        .thenApply(PeerMessages::decodeReadAnswer)
                        .exceptionally(e -> Optional.empty()));
            }
            return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).thenApply(x -> {
                Record newest = local.orElse(null);
                for (int i = 0; i < answers.size(); i++) {
                    Record r = answers.get(i).join().orElse(null);
                    if (r != null && guard.accept(r, segment, "node " + others.get(i) + " (read repair)")
                            && (newest == null || r.version().isNewerThan(newest.version()))) {
                        newest = r;
                    }
                }
                if (newest == null) {
                    return Optional.<Record>empty();
                }
                clock.observe(newest.version());
                if (store.apply(segment, newest).applied()) {
                    readRepairs.increment();
                    LOG.info("node {} segment {} key {}: read repair took {} from another replica", clock.nodeId(),
                            segment, Keys.printable(key), newest.version());
                }
                return Optional.of(newest).filter(r -> r.isLiveAt(wallClock.getAsLong()));
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The raw local copy of a key for another replica's READ (tombstones included). */
    Optional<Record> readLocal(int segment, byte[] key) {
        return store.read(segment, key);
    }

    /** Other live replicas of the segment; only serving ones when {@code servingOnly}. */
    private List<Integer> liveRemoteReplicas(SegmentMap map, int segment, boolean servingOnly) {
        List<Integer> out = new ArrayList<>();
        for (int node : servingOnly ? map.servingReplicas(segment) : map.replicas(segment)) {
            if (node != clock.nodeId() && map.nodes().containsKey(node)) {
                out.add(node);
            }
        }
        return out;
    }

    @Override
    public CompletionStage<Version> putAsync(byte[] key, byte[] value, WriteOptions options) {
        return write(Forward.put(key, value, options.concern(), options.wireExpiresAt(), 0)).thenApply(WriteResult::version);
    }

    @Override
    public CompletionStage<ExpireResult> expireAsync(byte[] key, long expiresAt, WriteConcern concern) {
        try {
            Expiry.checkAbsolute(expiresAt);
        } catch (EarthwoException e) {
            return CompletableFuture.failedFuture(e);
        }
        return write(Forward.expire(key, expiresAt, concern, 0)).thenApply(WriteResult::expireResult);
    }

    /** A time to live counts from this node's clock, the one its reads hide expired keys by. */
    @Override
    public CompletionStage<ExpireResult> expireInAsync(byte[] key, long ttlMillis, WriteConcern concern) {
        try {
            return expireAsync(key, Expiry.fromTtl(wallClock.getAsLong(), ttlMillis, true), concern);
        } catch (EarthwoException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Long> ttlAsync(byte[] key) {
        return getAsync(key).thenApply(r -> Expiry.remaining(r.orElse(null), wallClock.getAsLong()));
    }

    /**
     * The master's reaper deletes an expired key: a tombstone, replicated like a delete, written
     * only if the key still holds {@code expiredVersion} and it has expired by this node's clock
     * (checked under the record's lock, so a write that came in between is never lost).
     */
    @Override
    public CompletionStage<Boolean> reapAsync(byte[] key, Version expiredVersion) {
        try {
            Limits.checkKey(key, maxKeyBytes);
            SegmentMap map = cluster.currentMap();
            int segment = Segments.segmentOf(key, map.segmentCount());
            if (!map.isReplica(segment, clock.nodeId())) {
                throw EarthwoException.wrongSegment("node " + clock.nodeId() + " does not hold segment " + segment
                        + " of the expired key " + Keys.printable(key), map.epoch());
            }
            long ahead = clockAheadMillis();
            if (ahead > guard.maxOffsetMs()) {
                throw new EarthwoException(ErrorCode.UNAVAILABLE, "node " + clock.nodeId() + "'s clock is " + ahead
                        + " ms ahead of ZooKeeper's: it reaps nothing until it is back");
            }
            long now = wallClock.getAsLong();
            Derived d = commitOver(segment, key, EventType.EXPIRED, stored -> stored != null && !stored.isTombstone()
                    && stored.version().equals(expiredVersion) && stored.isExpiredAt(now) ? v -> Record.tombstone(key, v) : null);
            if (d.written() == null) {
                return CompletableFuture.completedFuture(false);
            }
            reaped.increment();
            return durablyReplicated(segment, d.written(), d.event(), WriteConcern.DEFAULT).thenApply(x -> true);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Boolean> deleteAsync(byte[] key, WriteOptions options) {
        return write(Forward.delete(key, options.concern(), 0)).thenApply(WriteResult::existed);
    }

    /**
     * A client write, local or forwarded to this node ({@code w.hops()} forwards so far): this
     * node coordinates it if it holds the key's segment, else forwards it to the segment's master
     * (or the next live replica when the master does not answer).
     */
    CompletableFuture<WriteResult> write(Forward w) {
        try {
            byte[] key = w.key();
            Limits.checkKey(key, maxKeyBytes);
            if (w.op() == Forward.PUT) {
                Limits.checkValue(w.value(), maxValueBytes);
                long expiresAt = w.expiresAt();
                if (expiresAt != Record.NEVER && expiresAt != WriteOptions.KEEP_TTL && expiresAt <= wallClock.getAsLong()) {
                    throw new EarthwoException(ErrorCode.BAD_REQUEST, "expiresAt " + expiresAt + " is not in the future");
                }
            }
            SegmentMap map = cluster.currentMap();
            int segment = Segments.segmentOf(key, map.segmentCount());
            if (!map.isReplica(segment, clock.nodeId())) {
                return forward(map, segment, w);
            }
            long ahead = clockAheadMillis();
            if (ahead > guard.maxOffsetMs()) {
                return handOver(map, segment, w, ahead);
            }
            if (w.op() == Forward.EXPIRE) {
                return changeExpiry(segment, w);
            }
            if (w.delete()) {
                deletes.increment();
                Optional<Record> existing = store.read(segment, key);
                if (existing.isEmpty() || existing.get().isTombstone()) {
                    return CompletableFuture.completedFuture(new WriteResult(Version.ZERO, false));
                }
                boolean wasLive = existing.get().isLiveAt(wallClock.getAsLong());
                Committed committed = commit(segment, v -> Record.tombstone(key, v));
                return durablyReplicated(segment, committed.record(), committed.event(), w.concern())
                        .thenApply(x -> new WriteResult(committed.record().version(), wasLive));
            }
            puts.increment();
            if (w.expiresAt() == WriteOptions.KEEP_TTL) {
                long now = wallClock.getAsLong();
                Derived kept = commitOver(segment, key, null, stored -> {
                    long expiresAt = stored != null && stored.isLiveAt(now) ? stored.expiresAt() : Record.NEVER;
                    return v -> Record.value(key, w.value(), v, expiresAt);
                });
                return durablyReplicated(segment, kept.written(), kept.event(), w.concern())
                        .thenApply(x -> new WriteResult(kept.written().version(), false));
            }
            Committed committed = commit(segment, v -> Record.value(key, w.value(), v, w.expiresAt()));
            return durablyReplicated(segment, committed.record(), committed.event(), w.concern())
                    .thenApply(x -> new WriteResult(committed.record().version(), false));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** An EXPIRE on a replica of the key's segment: derived from the stored record, atomically. */
    private CompletableFuture<WriteResult> changeExpiry(int segment, Forward w) {
        expiryChanges.increment();
        long now = wallClock.getAsLong();
        ExpiryChange[] decided = new ExpiryChange[1];
        Derived d = commitOver(segment, w.key(), null, stored -> {
            decided[0] = ExpiryChange.of(stored, w.expiresAt(), now);
            return decided[0].writes() ? decided[0]::record : null;
        });
        int outcome = decided[0].outcome().wireCode();
        if (d.written() == null) {
            return CompletableFuture.completedFuture(new WriteResult(Version.ZERO, outcome));
        }
        return durablyReplicated(segment, d.written(), d.event(), w.concern())
                .thenApply(x -> new WriteResult(d.written().version(), outcome));
    }

    /**
     * A record sent by the coordinating replica: applied last-writer-wins; the clock observes it.
     * Completes (with whether it was newer) once the change is durable.
     */
    CompletableFuture<Boolean> applyReplica(int segment, long mapEpoch, Record record, EventType event) {
        Limits.checkKey(record.key(), maxKeyBytes);
        appliesReceived.increment();
        checkHeldSegmentOf(record.key(), segment, mapEpoch);
        guard.check(record, segment, "a replica write (APPLY, sender map epoch " + mapEpoch + ")");
        clock.observe(record.version());
        SegmentStore.ApplyResult result = store.applyDeferred(segment, record, event);
        if (!result.applied()) {
            appliesStale.increment();
            clock.observe(result.previous().version());
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("node {} segment {} key {} {} replica write {} (sender map epoch {}, ours {})", clock.nodeId(),
                    segment, Keys.printable(record.key()), result.applied() ? "applied" : "ignored stale",
                    record.version(), mapEpoch, cluster.currentMap().epoch());
        }
        if (!result.applied()) {
            return CompletableFuture.completedFuture(false); // nothing was written
        }
        return store.durable().toCompletableFuture().thenApply(x -> true);
    }

    /** A write another node forwarded to this one. */
    CompletableFuture<WriteResult> forwardedWrite(Forward w) {
        forwardsReceived.increment();
        return write(w);
    }

    /**
     * How far this node's clock is ahead of ZooKeeper's, the clock the cluster shares (0 before
     * it is known). A node whose clock jumped ahead would stamp versions that no correctly clocked
     * write can beat for as long as the jump.
     */
    long clockAheadMillis() {
        OptionalLong zk = cluster.referenceClockOffsetMillis();
        return zk.isEmpty() ? 0 : wallClock.getAsLong() - (System.currentTimeMillis() + zk.getAsLong());
    }

    /**
     * A write this node would coordinate while its clock is too far ahead: another replica of
     * the segment coordinates it instead, or it is UNAVAILABLE (the client tries another replica).
     */
    private CompletableFuture<WriteResult> handOver(SegmentMap map, int segment, Forward w, long aheadMs) {
        writesHandedOver.increment();
        String why = "node " + clock.nodeId() + "'s clock is " + aheadMs + " ms ahead of ZooKeeper's, more than "
                + guard.maxOffsetMs() + " ms (earthwo.clock.max.offset.ms): it coordinates no write until it is back";
        long now = System.currentTimeMillis();
        long last = lastClockWarning;
        if (now - last >= VersionGuard.LOG_INTERVAL_MS) {
            lastClockWarning = now;
            LOG.warn("node {} segment {}: {}; handing writes to the other replicas", clock.nodeId(), segment, why);
        }
        try {
            return forward(map, segment, w);
        } catch (EarthwoException e) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, why + "; " + e.getMessage());
        }
    }

    private CompletableFuture<WriteResult> forward(SegmentMap map, int segment, Forward w) {
        PeerLinks l = links.get();
        if (l == null || w.hops() >= MAX_HOPS) {
            throw EarthwoException.wrongSegment("node " + clock.nodeId() + " does not hold segment " + segment
                    + " (replicas " + map.replicas(segment) + ")", map.epoch());
        }
        List<Integer> targets = new ArrayList<>();
        for (int node : map.replicas(segment)) {
            if (node != clock.nodeId() && map.nodes().containsKey(node)) {
                targets.add(node);
            }
        }
        if (targets.isEmpty()) {
            throw new EarthwoException(ErrorCode.UNAVAILABLE, "no live replica of segment " + segment
                    + " (replicas " + map.replicas(segment) + ") to forward the write to");
        }
        forwarded.increment();
        return forwardTo(l, targets, 0, segment, PeerMessages.encodeForward(w.nextHop()));
    }

    private CompletableFuture<WriteResult> forwardTo(PeerLinks l, List<Integer> targets, int i, int segment, byte[] payload) {
        int node = targets.get(i);
        CompletableFuture<byte[]> call;
        try {
            call = l.call(node, payload, forwardTimeout).toCompletableFuture();
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((answer, err) -> {
            if (err == null) {
                return CompletableFuture.completedFuture(PeerMessages.decodeWriteResult(answer));
            }
            Throwable cause = unwrap(err);
            boolean retry = cause instanceof EarthwoException e
                    && (e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.WRONG_SEGMENT);
            if (retry && i + 1 < targets.size()) {
                LOG.debug("node {} could not forward a write of segment {} to node {} ({}), trying node {}",
                        clock.nodeId(), segment, node, cause.getMessage(), targets.get(i + 1));
                return forwardTo(l, targets, i + 1, segment, payload);
            }
            return CompletableFuture.<WriteResult>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public ScanPage scan(byte[] prefix, byte[] startAfter, int limit) {
        if (limit <= 0 || limit > Limits.MAX_SCAN_LIMIT) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "scan limit must be 1.." + Limits.MAX_SCAN_LIMIT);
        }
        scans.increment();
        SegmentMap map = cluster.currentMap();
        int self = cluster.localNodeId();
        List<Integer> segments = new ArrayList<>();
        for (int s : map.segmentsOf(self)) {
            if (!map.isSyncing(s, self)) {
                segments.add(s); // a syncing copy may be incomplete
            }
        }
        return new MergedScan(store, prefix == null ? new byte[0] : prefix, wallClock.getAsLong(), limit)
                .run(segments, startAfter, limit);
    }

    /**
     * Stamps and applies a record locally. If the store already holds a newer version (stamped
     * by a replica whose clock is ahead), the clock observes it and the write is stamped again,
     * so a single writer's update is never lost to clock skew.
     */
    private Committed commit(int segment, Function<Version, Record> build) {
        for (int attempt = 0; attempt < MAX_RESTAMPS; attempt++) {
            Record record = build.apply(clock.next());
            SegmentStore.ApplyResult result = store.applyDeferred(segment, record, null);
            if (result.applied()) {
                return new Committed(record, result.event());
            }
            restamps.increment();
            Version stored = result.previous().version();
            if (!clock.observe(stored)) {
                throw new EarthwoException(ErrorCode.CLOCK_SKEW, "key " + Keys.printable(record.key()) + " of segment "
                        + segment + " holds version " + stored + ", " + guard.aheadMillis(stored) + " ms ahead of node "
                        + clock.nodeId() + "'s clock (beyond earthwo.clock.max.offset.ms): no write can stamp a newer"
                        + " one. It was stored before versions were checked; kv:futureversions --rewrite replaces it");
            }
        }
        throw new EarthwoException(ErrorCode.INTERNAL, "could not stamp a version newer than the stored one in segment " + segment);
    }

    /** A record this node wrote, and the type of the event its outbox recorded (null: none). */
    private record Committed(Record record, EventType event) {
    }

    /** What {@link #commitOver} found stored and what it wrote (null: nothing), with its event. */
    private record Derived(Record stored, Record written, EventType event) {
    }

    /**
     * Stamps and applies a record derived from the stored one ({@code derive} returns null to
     * write nothing), as a compare-and-set: if another write changed the key between the read and
     * the write, it reads and derives again, so an expiry change never brings back an old value.
     * A stored version newer than the stamp (a clock behind) is observed and the write re-stamped.
     */
    private Derived commitOver(int segment, byte[] key, EventType type, Function<Record, Function<Version, Record>> derive) {
        for (int attempt = 0; attempt < MAX_DERIVE_ATTEMPTS; attempt++) {
            Record stored = store.read(segment, key).orElse(null);
            Function<Version, Record> build = derive.apply(stored);
            if (build == null) {
                return new Derived(stored, null, null);
            }
            Version expected = stored == null ? Version.ZERO : stored.version();
            Record record = build.apply(clock.next());
            SegmentStore.ApplyResult result = store.applyDeferredIf(segment, record, expected, type);
            if (result.applied()) {
                return new Derived(stored, record, result.event());
            }
            Record now = result.previous();
            if (now != null && now.version().equals(expected)) {
                restamps.increment(); // unchanged, but stamped later than our clock: catch up and stamp again
                if (!clock.observe(expected)) {
                    throw new EarthwoException(ErrorCode.CLOCK_SKEW, "key " + Keys.printable(key) + " of segment " + segment
                            + " holds version " + expected + ", " + guard.aheadMillis(expected) + " ms ahead of node "
                            + clock.nodeId() + "'s clock (beyond earthwo.clock.max.offset.ms)");
                }
            }
        }
        throw new EarthwoException(ErrorCode.BUSY, "key " + Keys.printable(key) + " of segment " + segment + " changed under "
                + MAX_DERIVE_ATTEMPTS + " attempts to change it");
    }

    /**
     * Completes once the local commit is durable (the store writes commits in groups, see
     * {@link SegmentStore#applyDeferred}) and the write concern is met. The record goes to the
     * other replicas at once, while the local log write is still pending.
     */
    private CompletableFuture<Void> durablyReplicated(int segment, Record record, EventType event, WriteConcern concern) {
        CompletableFuture<Void> replicated = replicate(segment, record, event, concern);
        return store.durable().toCompletableFuture().thenCombine(replicated, (a, b) -> null);
    }

    /**
     * Sends the committed record to the other replicas and completes after the write concern. W
     * counts serving replicas only: a syncing replica gets every write too, but until it serves its
     * copy may still be replaced by the master's (anti-entropy aligns it), so its ack is no copy.
     * The replicas' outboxes record the same event type as this node's ({@code event}).
     */
    private CompletableFuture<Void> replicate(int segment, Record record, EventType event, WriteConcern concern) {
        SegmentMap map = cluster.currentMap();
        int self = clock.nodeId();
        List<Integer> counted = new ArrayList<>();
        List<Integer> uncounted = new ArrayList<>();
        Set<Integer> down = new HashSet<>();
        for (int node : map.replicas(segment)) {
            if (node == self) {
                continue;
            }
            (map.isSyncing(segment, node) ? uncounted : counted).add(node);
            if (!map.nodes().containsKey(node)) {
                down.add(node);
            }
        }
        boolean localCounts = !map.isSyncing(segment, self);
        int acks = concern.acksNeeded(Math.max(1, map.servingReplicas(segment).size()), defaultConcern);
        ReplicaTransport withEvent = event == null ? transport : (n, s, r) -> transport.send(n, s, r, event);
        CompletableFuture<Void> done = QuorumWrite.replicate(withEvent, segment, record, counted, uncounted, localCounts,
                acks, down, (node, err) -> hint(node, segment, record, err));
        if (LOG.isDebugEnabled()) {
            LOG.debug("node {} segment {} key {} committed {} (W={} of {} serving, syncing {}, not live {})", self, segment,
                    Keys.printable(record.key()), record.version(), acks, map.servingReplicas(segment).size(), uncounted,
                    down);
        }
        return done;
    }

    /** Keeps a write a replica missed, durably, for the hint replayer. */
    private void hint(int node, int segment, Record record, Throwable why) {
        if (hints == null) {
            return;
        }
        try {
            hints.add(node, segment, record);
            hintsWritten.increment();
            if (LOG.isDebugEnabled()) {
                LOG.debug("node {} hinted {} of segment {} for node {}: {}", clock.nodeId(), record.version(), segment, node,
                        unwrap(why).getMessage());
            }
        } catch (RuntimeException e) {
            hintFailures.increment();
            LOG.warn("node {} could not store a hint for node {} (segment {}, key {}); anti-entropy will repair it: {}",
                    clock.nodeId(), node, segment, Keys.printable(record.key()), e.getMessage());
        }
    }

    /**
     * Checks that a replica write names the key's own segment and that this node holds it: a
     * record stored under another segment could never be read, and a segment this node does not
     * hold is no longer its to keep (WRONG_SEGMENT; the sender hints it or finds the new replicas).
     */
    private void checkHeldSegmentOf(byte[] key, int segment, long senderEpoch) {
        SegmentMap map = cluster.currentMap();
        int own = Segments.segmentOf(key, map.segmentCount());
        if (own != segment) {
            throw new EarthwoException(ErrorCode.BAD_REQUEST, "replica write of key " + Keys.printable(key) + " to segment "
                    + segment + ", but the key belongs to segment " + own);
        }
        if (!map.isReplica(segment, clock.nodeId())) {
            throw EarthwoException.wrongSegment("node " + clock.nodeId() + " does not hold segment " + segment
                    + " (replicas " + map.replicas(segment) + ", map epoch " + map.epoch() + ", sender's "
                    + senderEpoch + ")", map.epoch());
        }
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

    int nodeId() {
        return clock.nodeId();
    }

    long clockDriftMillis() {
        return clock.driftMillis();
    }

    /** Where the coordinator learns which segments' copies anti-entropy confirmed (see {@link #getAsync}). */
    void trustMissesWhen(IntPredicate confirmedInSync) {
        this.missesAreAbsent = confirmedInSync;
    }

    VersionGuard versionGuard() {
        return guard;
    }

    /**
     * Replaces a record stored with a version from the future by the same record (value or
     * deletion, expiry) with a version of this node's clock, in this node's store only.
     */
    Record rewriteWithCurrentVersion(int segment, Record future) {
        store.purge(segment, future);
        Record fresh = commit(segment, v -> future.isTombstone() ? Record.tombstone(future.key(), v)
                : Record.value(future.key(), future.value(), v, future.expiresAt())).record();
        Futures.join(store.durable());
        return fresh;
    }
}

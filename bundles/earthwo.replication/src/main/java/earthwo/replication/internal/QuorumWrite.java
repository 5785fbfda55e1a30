package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;

import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits for the write concern of one write that is already committed on the coordinating replica:
 * sends it to the other replicas and completes once {@code acksNeeded} replicas (the local one
 * included) have it, or fails with UNAVAILABLE as soon as too many replicas failed for the
 * concern to be met. Sends continue after completion, so every reachable replica gets the write.
 */
final class QuorumWrite {

    private QuorumWrite() {
    }

    static CompletableFuture<Void> replicate(ReplicaTransport transport, int segment, Record record,
                                             List<Integer> remoteReplicas, int acksNeeded) {
        return replicate(transport, segment, record, remoteReplicas, acksNeeded, Set.of(), (node, err) -> { });
    }

    /**
     * As above, where the replicas in {@code down} (not live under the current map) are not
     * sent to and count as failed at once, and {@code onFailure} is told about every replica
     * that did not get the write (down, failed or timed out) — also after the concern was met.
     */
    static CompletableFuture<Void> replicate(ReplicaTransport transport, int segment, Record record,
                                             List<Integer> remoteReplicas, int acksNeeded, Set<Integer> down,
                                             BiConsumer<Integer, Throwable> onFailure) {
        return replicate(transport, segment, record, remoteReplicas, List.of(), true, acksNeeded, down, onFailure);
    }

    /**
     * As above, and {@code uncounted} replicas (syncing: they get every write, but their copy may
     * still be replaced by the master's, so it is no acknowledged copy) are sent to as well
     * without counting their acks; {@code localCounts} false when the coordinator itself is one.
     */
    static CompletableFuture<Void> replicate(ReplicaTransport transport, int segment, Record record,
                                             List<Integer> remoteReplicas, List<Integer> uncounted, boolean localCounts,
                                             int acksNeeded, Set<Integer> down, BiConsumer<Integer, Throwable> onFailure) {
        for (int node : uncounted) {
            if (down.contains(node)) {
                onFailure.accept(node, new EarthwoException(ErrorCode.UNAVAILABLE, "replica node " + node + " is not live"));
                continue;
            }
            send(transport, node, segment, record).whenComplete((ok, err) -> {
                if (err != null) {
                    onFailure.accept(node, err);
                }
            });
        }
        int local = localCounts ? 1 : 0;
        int needRemote = acksNeeded - local;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (needRemote <= 0) {
            done.complete(null);
        }
        if (remoteReplicas.isEmpty()) {
            if (needRemote > 0) {
                done.completeExceptionally(unavailable(segment, acksNeeded, local));
            }
            return done;
        }
        AtomicInteger acks = new AtomicInteger(local);
        AtomicInteger failures = new AtomicInteger();
        int total = remoteReplicas.size() + local;
        for (int node : remoteReplicas) {
            if (down.contains(node)) {
                onFailure.accept(node, new EarthwoException(ErrorCode.UNAVAILABLE, "replica node " + node + " is not live"));
                if (total - failures.incrementAndGet() < acksNeeded) {
                    done.completeExceptionally(unavailable(segment, acksNeeded, acks.get()));
                }
                continue;
            }
            send(transport, node, segment, record).whenComplete((ok, err) -> {
                if (err == null) {
                    if (acks.incrementAndGet() >= acksNeeded) {
                        done.complete(null);
                    }
                } else {
                    onFailure.accept(node, err);
                    if (total - failures.incrementAndGet() < acksNeeded) {
                        done.completeExceptionally(unavailable(segment, acksNeeded, acks.get()));
                    }
                }
            });
        }
        return done;
    }

    /** The transport's send; a send that throws is a failed one. */
    private static CompletionStage<Void> send(ReplicaTransport transport, int node, int segment, Record record) {
        try {
            return transport.send(node, segment, record);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static EarthwoException unavailable(int segment, int needed, int got) {
        return new EarthwoException(ErrorCode.UNAVAILABLE, "write concern not met for segment " + segment
                + ": " + got + " of " + needed + " replicas acknowledged (the write is kept where it was applied"
                + " and repaired to the others when they return)");
    }
}

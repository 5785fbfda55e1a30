package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Record;

import java.util.List;
import java.util.concurrent.CompletableFuture;
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
        int needRemote = acksNeeded - 1;
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (needRemote <= 0) {
            done.complete(null);
        }
        if (remoteReplicas.isEmpty()) {
            if (needRemote > 0) {
                done.completeExceptionally(unavailable(segment, acksNeeded, 1));
            }
            return done;
        }
        AtomicInteger acks = new AtomicInteger(1);
        AtomicInteger failures = new AtomicInteger();
        int total = remoteReplicas.size() + 1;
        for (int node : remoteReplicas) {
            transport.send(node, segment, record).whenComplete((ok, err) -> {
                if (err == null) {
                    if (acks.incrementAndGet() >= acksNeeded) {
                        done.complete(null);
                    }
                } else if (total - failures.incrementAndGet() < acksNeeded) {
                    done.completeExceptionally(unavailable(segment, acksNeeded, acks.get()));
                }
            });
        }
        return done;
    }

    private static EarthwoException unavailable(int segment, int needed, int got) {
        return new EarthwoException(ErrorCode.UNAVAILABLE, "write concern not met for segment " + segment
                + ": " + got + " of " + needed + " replicas acknowledged (the write is kept where it was applied"
                + " and repaired to the others when they return)");
    }
}

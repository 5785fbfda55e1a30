package earthwo.replication.internal;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Keys;
import earthwo.api.Record;
import earthwo.api.Version;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuorumWriteTest {

    private static final Record RECORD = Record.value(Keys.utf8("k"), Keys.utf8("v"), Version.of(1, 0, 1), 0);

    /** A transport whose answers the test completes by hand, per node. */
    private static final class ManualTransport implements ReplicaTransport {
        final Map<Integer, CompletableFuture<Void>> sends = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Void> send(int nodeId, int segment, Record record) {
            return sends.computeIfAbsent(nodeId, n -> new CompletableFuture<>());
        }
    }

    @Test
    void localReplicaAloneMeetsWriteConcernOne() {
        ManualTransport t = new ManualTransport();
        CompletableFuture<Void> done = QuorumWrite.replicate(t, 0, RECORD, List.of(2, 3), 1);
        assertTrue(done.isDone());
        assertEquals(2, t.sends.size(), "the write still goes to every replica");
    }

    @Test
    void aSyncingReplicaGetsTheWriteButItsAckDoesNotCount() {
        ManualTransport t = new ManualTransport();
        List<Integer> missed = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = QuorumWrite.replicate(t, 0, RECORD, List.of(2), List.of(4), true, 2,
                java.util.Set.of(), (node, err) -> missed.add(node));
        assertTrue(t.sends.containsKey(4), "the syncing replica is sent the write");
        t.sends.get(4).complete(null);
        assertFalse(done.isDone(), "its ack is no acknowledged copy");
        t.sends.get(2).complete(null);
        assertTrue(done.isDone() && !done.isCompletedExceptionally());

        // coordinated by a syncing replica itself: its local copy does not count either
        ManualTransport t2 = new ManualTransport();
        CompletableFuture<Void> two = QuorumWrite.replicate(t2, 0, RECORD, List.of(1, 2), List.of(), false, 2,
                java.util.Set.of(), (node, err) -> missed.add(node));
        t2.sends.get(1).complete(null);
        assertFalse(two.isDone());
        t2.sends.get(2).completeExceptionally(new EarthwoException(ErrorCode.UNAVAILABLE, "down"));
        assertThrows(CompletionException.class, two::join);
        assertEquals(List.of(2), missed, "a failed send is reported for a hint");
    }

    @Test
    void quorumOfThreeWaitsForOneRemoteAck() {
        ManualTransport t = new ManualTransport();
        CompletableFuture<Void> done = QuorumWrite.replicate(t, 0, RECORD, List.of(2, 3), 2);
        assertFalse(done.isDone());
        t.sends.get(3).complete(null);
        assertTrue(done.isDone());
        assertFalse(done.isCompletedExceptionally());
    }

    @Test
    void allFailsAsSoonAsOneReplicaFails() {
        ManualTransport t = new ManualTransport();
        CompletableFuture<Void> done = QuorumWrite.replicate(t, 0, RECORD, List.of(2, 3), 3);
        t.sends.get(2).complete(null);
        t.sends.get(3).completeExceptionally(new EarthwoException(ErrorCode.UNAVAILABLE, "down"));
        CompletionException e = assertThrows(CompletionException.class, done::join);
        assertEquals(ErrorCode.UNAVAILABLE, ((EarthwoException) e.getCause()).code());
    }

    @Test
    void quorumWithNoReachableRemoteIsUnavailable() {
        CompletableFuture<Void> done = QuorumWrite.replicate(new NoRemoteTransport(), 0, RECORD, List.of(2, 3), 2);
        CompletionException e = assertThrows(CompletionException.class, done::join);
        assertEquals(ErrorCode.UNAVAILABLE, ((EarthwoException) e.getCause()).code());
    }
}

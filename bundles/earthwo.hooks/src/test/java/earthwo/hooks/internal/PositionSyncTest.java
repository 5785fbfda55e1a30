package earthwo.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Version;
import earthwo.api.cluster.PeerLinks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

/** Positions from masters to replicas: the message, the sender, and the receiver that never moves one back. */
class PositionSyncTest {

    private static final Version V1 = Version.of(1_000, 0, 1);
    private static final Version V2 = Version.of(2_000, 0, 1);
    private static final Version V3 = Version.of(3_000, 0, 1);

    /** Records calls; answers each from {@link #answers}, else with success. */
    private static final class Links implements PeerLinks {
        final List<Integer> nodes = new ArrayList<>();
        final List<List<PositionMessages.Entry>> sent = new ArrayList<>();
        final List<CompletableFuture<byte[]>> answers = new ArrayList<>();

        @Override
        public synchronized CompletionStage<byte[]> call(int nodeId, byte[] payload, Duration timeout) {
            nodes.add(nodeId);
            sent.add(PositionMessages.decode(payload));
            return answers.isEmpty() ? CompletableFuture.completedFuture(new byte[0]) : answers.remove(0);
        }
    }

    @Test
    void messagesRoundTripAndMalformedOnesAreBadRequests() {
        List<PositionMessages.Entry> entries = List.of(new PositionMessages.Entry("hook-ä", 3, V2),
                new PositionMessages.Entry("b", 0, new Version(-1L, Integer.MAX_VALUE)));
        assertEquals(entries, PositionMessages.decode(PositionMessages.encode(entries)));
        byte[] ok = PositionMessages.encode(entries);
        for (byte[] bad : new byte[][] {{32}, {32, 2, 0, 0, 0, 0}, {32, 1, 0, 0, 0, 1}, java.util.Arrays.copyOf(ok, ok.length - 1),
                java.util.Arrays.copyOf(ok, ok.length + 1), {32, 1, (byte) 0xff, 0, 0, 0}}) {
            EarthwoException e = assertThrows(EarthwoException.class, () -> PositionMessages.decode(bad));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
        }
    }

    @Test
    void sendsChangedPositionsOfMasteredSegmentsToTheOtherReplicasOnly() {
        Fixture f = new Fixture(true, Fixture.SELF, Fixture.OTHER);
        Links links = new Links();
        Map<String, Map<Integer, Version>> positions = new TreeMap<>();
        positions.put("h", new TreeMap<>(Map.of(0, V1, 1, V1)));
        LongAdder sent = new LongAdder();
        PositionSync sync = new PositionSync(f.cluster, () -> links, () -> positions, sent);

        sync.run();
        assertEquals(List.of(Fixture.OTHER), links.nodes);
        assertEquals(List.of(new PositionMessages.Entry("h", 0, V1)), links.sent.get(0), "only the mastered segment");
        sync.run();
        assertEquals(1, links.nodes.size(), "nothing moved, nothing sent");

        positions.get("h").put(0, V2);
        CompletableFuture<byte[]> failing = new CompletableFuture<>();
        links.answers.add(failing);
        sync.run();
        sync.run();
        assertEquals(2, links.nodes.size(), "one round in flight per replica");
        failing.completeExceptionally(new EarthwoException(ErrorCode.UNAVAILABLE, "down"));
        sync.run();
        assertEquals(3, links.nodes.size(), "a failed round goes again");
        assertEquals(List.of(new PositionMessages.Entry("h", 0, V2)), links.sent.get(2));
        assertEquals(2, sent.sum());

        PositionSync single = new PositionSync(f.cluster, () -> null, () -> positions, sent);
        single.run(); // no links: nothing to do, no failure
    }

    @Test
    void theReceiverSavesForwardOnlyAndOnlyForSegmentsThisNodeHolds() {
        Fixture f = new Fixture(true, Fixture.OTHER, Fixture.OTHER);
        f.cluster.setMap(new earthwo.api.cluster.SegmentMap(2, 2, List.of(List.of(2, 1), List.of(2, 3)),
                f.cluster.currentMap().nodes()));
        LongAdder saved = new LongAdder();
        PositionReceiver r = new PositionReceiver(f.store, f.cluster, saved);
        r.handle(PositionMessages.encode(List.of(new PositionMessages.Entry("h", 0, V2),
                new PositionMessages.Entry("h", 1, V2), new PositionMessages.Entry("h", 9, V2),
                new PositionMessages.Entry("bad name", 0, V2)))).toCompletableFuture().join();
        assertEquals(Map.of(0, V2), f.store.positions("h"));
        assertEquals(Map.of(), f.store.positions("bad name"));

        r.handle(PositionMessages.encode(List.of(new PositionMessages.Entry("h", 0, V1)))).toCompletableFuture().join();
        assertEquals(Map.of(0, V2), f.store.positions("h"), "an older position (an old master's late message) is ignored");
        r.handle(PositionMessages.encode(List.of(new PositionMessages.Entry("h", 0, V3)))).toCompletableFuture().join();
        assertEquals(Map.of(0, V3), f.store.positions("h"));
        assertEquals(2, saved.sum());
        assertEquals(2, f.store.saves.get());

        CompletionException e = assertThrows(CompletionException.class,
                () -> r.handle(new byte[] {32, 1, 0}).toCompletableFuture().join());
        assertTrue(e.getCause() instanceof EarthwoException);
        assertThrows(CompletionException.class, () -> r.handle(new byte[0]).toCompletableFuture().join());
    }
}

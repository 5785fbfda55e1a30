package earthwo.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.EarthwoException;
import earthwo.api.ErrorCode;
import earthwo.api.Version;
import earthwo.api.cluster.NodeInfo;
import earthwo.api.cluster.SegmentMap;
import earthwo.api.cluster.TestClusterView;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * A new master's question for the positions the other replicas hold (peer message 33): the
 * message, the answer from the store, and the asking: every other live replica, the furthest
 * position taken, replicas that fail or do not answer skipped within the timeout.
 */
class PositionAskTest {

    private static final Version V1 = Version.of(1_000, 0, 1);
    private static final Version V2 = Version.of(2_000, 0, 1);
    private static final Version V3 = Version.of(3_000, 0, 1);

    private final LongAdder asked = new LongAdder();
    private final LongAdder unanswered = new LongAdder();

    /** Segment 0 on nodes 1, 2, 3; segment 1 on 1, 3 and 4, which is not in the map's nodes (down); segment 2 on 2, 1. */
    private static SegmentMap threeNodes() {
        return new SegmentMap(1, 3, List.of(List.of(1, 2, 3), List.of(1, 3, 4), List.of(2, 1)),
                Map.of(1, new NodeInfo(1, "127.0.0.1", 7380), 2, new NodeInfo(2, "127.0.0.1", 7381),
                        3, new NodeInfo(3, "127.0.0.1", 7382)));
    }

    /** A node of the map with an outbox store of its own, answering over {@code links}. */
    private static FakeOutboxStore node(FakeLinks links, int id, SegmentMap map, boolean outbox) {
        FakeOutboxStore store = new FakeOutboxStore(map.segmentCount(), outbox, () -> 0L);
        links.with(id, new PositionReceiver(store, new TestClusterView(id, map), new LongAdder()));
        return store;
    }

    @Test
    void questionsAndAnswersRoundTripAndMalformedOnesAreBadRequests() {
        List<PositionMessages.Question> questions = List.of(new PositionMessages.Question("hook-ä", 3),
                new PositionMessages.Question("b", 0));
        byte[] ask = PositionMessages.encodeAsk(questions);
        assertEquals(PositionMessages.ASK, ask[0]);
        assertEquals(questions, PositionMessages.decodeAsk(ask));
        List<PositionMessages.Entry> entries = List.of(new PositionMessages.Entry("hook-ä", 3, V2));
        assertEquals(entries, PositionMessages.decode(PositionMessages.ASK,
                PositionMessages.encode(PositionMessages.ASK, entries)));
        for (byte[] bad : new byte[][] {{33}, {33, 2, 0, 0, 0, 0}, {33, 1, 0, 0, 0, 1}, {32, 1, 0, 0, 0, 0},
                Arrays.copyOf(ask, ask.length - 1), Arrays.copyOf(ask, ask.length + 1), {33, 1, (byte) 0xff, 0, 0, 0}}) {
            EarthwoException e = assertThrows(EarthwoException.class, () -> PositionMessages.decodeAsk(bad));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
        }
        // A position message is not an answer, nor the other way round.
        assertThrows(EarthwoException.class, () -> PositionMessages.decode(PositionMessages.encode(PositionMessages.ASK, entries)));
        assertThrows(EarthwoException.class, () -> PositionMessages.decode(PositionMessages.ASK, PositionMessages.encode(entries)));
        // Bounded: at most MAX_ENTRIES questions per message.
        List<PositionMessages.Question> many = IntStream.rangeClosed(0, PositionMessages.MAX_ENTRIES)
                .mapToObj(i -> new PositionMessages.Question("h", i)).toList();
        assertThrows(IllegalArgumentException.class, () -> PositionMessages.encodeAsk(many));
    }

    @Test
    void aReplicaAnswersWithTheStoredPositionsOfWhatWasAskedOnly() {
        Fixture f = new Fixture(true, Fixture.OTHER, Fixture.OTHER);
        f.store.savePosition("h", 0, V2);
        f.store.savePosition("x", 0, V3);
        LongAdder answered = new LongAdder();
        PositionReceiver r = new PositionReceiver(f.store, f.cluster, new LongAdder(), (n, s, v) -> { }, answered);
        byte[] answer = r.handle(PositionMessages.encodeAsk(List.of(new PositionMessages.Question("h", 0),
                new PositionMessages.Question("h", 1), new PositionMessages.Question("unknown", 0),
                new PositionMessages.Question("bad name", 0)))).toCompletableFuture().join();
        assertEquals(List.of(new PositionMessages.Entry("h", 0, V2)), PositionMessages.decode(PositionMessages.ASK, answer));
        assertEquals(1, answered.sum());
        assertEquals(2, f.store.saves.get(), "answering saves nothing");

        PositionReceiver none = new PositionReceiver(new FakeOutboxStore(f.store.segmentCount(), false, () -> 0L), f.cluster,
                new LongAdder());
        CompletionException e = assertThrows(CompletionException.class,
                () -> none.handle(PositionMessages.encodeAsk(List.of(new PositionMessages.Question("h", 0))))
                        .toCompletableFuture().join());
        assertEquals(ErrorCode.UNAVAILABLE, ((EarthwoException) e.getCause()).code());
    }

    @Test
    void asksEveryOtherLiveReplicaOnceAndTakesTheFurthestPosition() {
        SegmentMap map = threeNodes();
        FakeLinks links = new FakeLinks();
        FakeOutboxStore two = node(links, 2, map, true);
        FakeOutboxStore three = node(links, 3, map, true);
        two.savePosition("h", 0, V2);
        two.savePosition("h", 2, V1);
        two.savePosition("other", 1, V3);
        three.savePosition("h", 0, V1);
        three.savePosition("h", 1, V2);
        three.savePosition("h", 5, V3); // a segment that was not asked about
        PositionAsk ask = new PositionAsk(new TestClusterView(1, map), () -> links, asked, unanswered);

        Map<Integer, Version> got = ask.ask("h", List.of(0, 1, 2), null);
        assertEquals(Map.of(0, V2, 1, V2, 2, V1), got);
        assertEquals(List.of(2, 3), links.calls.stream().map(FakeLinks.Call::node).sorted().toList(),
                "one question to each other replica in the map's nodes (node 4 is not)");
        assertTrue(links.calls.stream().allMatch(c -> c.type() == PositionMessages.ASK));
        assertEquals(2, asked.sum());
        assertEquals(0, unanswered.sum());

        assertEquals(Map.of(), ask.ask("h", List.of(), null));
        assertEquals(Map.of(), ask.ask("nobody", List.of(0), null));
        assertEquals(Map.of(), new PositionAsk(new TestClusterView(1, map), () -> null, asked, unanswered)
                .ask("h", List.of(0), null), "without links (a single node) nobody is asked");
    }

    @Test
    void replicasThatFailOrDoNotAnswerAreSkippedWithinTheTimeout() {
        SegmentMap map = threeNodes();
        FakeLinks links = new FakeLinks();
        FakeOutboxStore two = node(links, 2, map, true);
        FakeOutboxStore three = node(links, 3, map, true);
        two.savePosition("h", 0, V3);
        three.savePosition("h", 0, V2);
        PositionAsk ask = new PositionAsk(new TestClusterView(1, map), () -> links, Duration.ofMillis(300), 0,
                asked, unanswered);

        links.silent.add(2);
        long start = System.nanoTime();
        assertEquals(Map.of(0, V2), ask.ask("h", List.of(0), null));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs >= 250 && tookMs < 2_000, "waited " + tookMs + " ms for a replica that does not answer");
        assertEquals(1, unanswered.sum());

        links.silent.clear();
        links.down.add(2);
        links.throwing.add(3);
        assertEquals(Map.of(), ask.ask("h", List.of(0), null));
        assertEquals(3, unanswered.sum());

        // A replica without an outbox refuses (UNAVAILABLE): skipped as well.
        links.down.clear();
        links.throwing.clear();
        node(links, 3, map, false);
        assertEquals(Map.of(0, V3), ask.ask("h", List.of(0), null));
        assertEquals(4, unanswered.sum());
    }

    @Test
    void manySegmentsGoInBoundedMessages() {
        int segments = PositionMessages.MAX_ENTRIES + 10;
        List<List<Integer>> replicas = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            replicas.add(List.of(1, 2));
        }
        SegmentMap map = new SegmentMap(1, 2, replicas, Map.of(1, new NodeInfo(1, "127.0.0.1", 7380),
                2, new NodeInfo(2, "127.0.0.1", 7381)));
        FakeLinks links = new FakeLinks();
        FakeOutboxStore two = node(links, 2, map, true);
        two.savePosition("h", segments - 1, V1);
        PositionAsk ask = new PositionAsk(new TestClusterView(1, map), () -> links, asked, unanswered);
        assertEquals(Map.of(segments - 1, V1), ask.ask("h", IntStream.range(0, segments).boxed().toList(), null));
        assertEquals(2, links.calls.size());
        assertEquals(PositionMessages.MAX_ENTRIES, PositionMessages.decodeAsk(links.calls.get(0).payload()).size());
    }

    @Test
    void onANodeThatIsStartingTheQuestionWaitsForTheLinksButNotForever() throws Exception {
        SegmentMap map = threeNodes();
        FakeLinks links = new FakeLinks();
        node(links, 2, map, true).savePosition("h", 0, V2);
        node(links, 3, map, true);
        java.util.concurrent.atomic.AtomicReference<FakeLinks> bound = new java.util.concurrent.atomic.AtomicReference<>();
        PositionAsk ask = new PositionAsk(new TestClusterView(1, map), bound::get, PositionAsk.TIMEOUT, 5_000, asked,
                unanswered);
        Thread binder = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            bound.set(links);
        });
        long start = System.nanoTime();
        binder.start();
        assertEquals(Map.of(0, V2), ask.ask("h", List.of(0), new Signal()), "asked once the links were bound");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs >= 250 && tookMs < 4_000, "took " + tookMs + " ms");
        binder.join();

        // Never bound: given up after the wait.
        PositionAsk never = new PositionAsk(new TestClusterView(1, map), () -> null, PositionAsk.TIMEOUT, 300, asked,
                unanswered);
        start = System.nanoTime();
        assertEquals(Map.of(), never.ask("h", List.of(0), new Signal()));
        tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs >= 250 && tookMs < 2_000, "took " + tookMs + " ms");
        assertEquals(1, unanswered.sum());

        // A segment without other live replicas does not wait; nor does a thread that is stopped.
        start = System.nanoTime();
        SegmentMap alone = new SegmentMap(1, 1, List.of(List.of(1), List.of(1, 4)), Map.of(1, new NodeInfo(1, "127.0.0.1", 7380)));
        assertEquals(Map.of(), new PositionAsk(new TestClusterView(1, alone), () -> null, PositionAsk.TIMEOUT, 5_000,
                asked, unanswered).ask("h", List.of(0, 1), new Signal()));
        Signal stopped = new Signal();
        stopped.stop();
        PositionAsk waiting = new PositionAsk(new TestClusterView(1, map), () -> null, PositionAsk.TIMEOUT, 5_000,
                asked, unanswered);
        assertEquals(Map.of(), waiting.ask("h", List.of(0), stopped));
        tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < 1_000, "took " + tookMs + " ms");
    }
}

package earthwo.channels.internal;

import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.channels.ResumePoint;
import earthwo.api.channels.StreamKey;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import earthwo.api.testing.Poll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A subscriber that fails over to another node resumes from its position: what it missed, or a gap. */
class ResumeTest {

    @Test
    void resumingOnAnotherNodeGetsExactlyTheMissedMessagesThenLiveOnes() throws Exception {
        try (TestNodes cluster = new TestNodes(3, TestNodes.settings())) {
            Recorder first = new Recorder();
            Subscription s = cluster.node(1).subscribe(SubscribeRequest.ofChannels("prices"), first);
            TestNodes.join(s.ready());
            publish(cluster, 2, "prices", 50);
            Poll.until("50 messages", Duration.ofSeconds(5), () -> first.count() == 50);
            ResumePoint position = s.position();
            s.close(); // node 1 "dies" for this subscriber

            publish(cluster, 2, "prices", 30); // missed; node 3 had no interest in them

            Recorder second = new Recorder();
            Subscription resumed = cluster.node(3).subscribe(
                    SubscribeRequest.ofChannels("prices").resumingFrom(position), second);
            TestNodes.join(resumed.ready());
            publish(cluster, 2, "prices", 20);
            Poll.until("30 missed + 20 live", Duration.ofSeconds(5), () -> second.count() == 50);
            cluster.settle(2, "prices", second);
            assertEquals(50, second.count());
            assertEquals(51, second.messages.get(0).sequence());
            assertEquals(100, second.messages.get(49).sequence());
            assertEquals(0, second.outOfOrder.get());
            assertTrue(second.gaps.isEmpty(), "gaps: " + second.gaps);
        }
    }

    @Test
    void whatTheWindowsNoLongerHoldIsAGapNamingTheLostRange() throws Exception {
        try (TestNodes cluster = new TestNodes(2, TestNodes.settings().withRetention(100, 60_000))) {
            Recorder first = new Recorder();
            Subscription s = cluster.node(1).subscribe(SubscribeRequest.ofChannels("prices"), first);
            TestNodes.join(s.ready());
            publish(cluster, 2, "prices", 10);
            Poll.until("10 messages", Duration.ofSeconds(5), () -> first.count() == 10);
            ResumePoint position = s.position();
            s.close();
            Poll.until("node 2 learns node 1 no longer wants prices", Duration.ofSeconds(5),
                    () -> cluster.node(2).hub().nodesWanting("prices").isEmpty());

            publish(cluster, 2, "prices", 500); // sequences 11..510; the windows keep 411..510

            Recorder second = new Recorder();
            TestNodes.join(cluster.node(1).subscribe(SubscribeRequest.ofChannels("prices").resumingFrom(position),
                    second).ready());
            Poll.until("the 100 still held", Duration.ofSeconds(5), () -> second.count() >= 100);
            cluster.settle(2, "prices", second);
            assertEquals(100, second.count(), () -> "received " + second.messages.stream()
                    .map(ChannelMessage::sequence).toList() + ", gaps " + second.gaps);
            String publisher = first.messages.get(0).publisherId();
            assertEquals(List.of(new Gap("prices", publisher, 11, 410)), second.gaps);
            assertInstanceOf(Gap.class, second.events.get(0), "the gap comes before the messages after it");
            assertEquals(411, second.messages.get(0).sequence());
            assertEquals(0, second.outOfOrder.get());
        }
    }

    @Test
    void aStreamWhoseMessagesAllLeftTheWindowIsAGapUpToWhereItWent() throws Exception {
        try (TestNodes cluster = new TestNodes(2, TestNodes.settings().withRetention(100, 1))) {
            Recorder first = new Recorder();
            Subscription s = cluster.node(1).subscribe(SubscribeRequest.ofChannels("c"), first);
            TestNodes.join(s.ready());
            publish(cluster, 2, "c", 5);
            Poll.until("5 messages", Duration.ofSeconds(5), () -> first.count() == 5);
            ResumePoint position = s.position();
            s.close();
            publish(cluster, 2, "c", 5);
            cluster.advanceClock(20); // older than the 1 ms window
            Recorder second = new Recorder();
            TestNodes.join(cluster.node(1).subscribe(SubscribeRequest.ofChannels("c").resumingFrom(position), second)
                    .ready());
            Poll.until("a gap", Duration.ofSeconds(5), () -> !second.gaps.isEmpty());
            assertEquals(new Gap("c", first.messages.get(0).publisherId(), 6, 10), second.gaps.get(0));
            assertEquals(0, second.count());
        }
    }

    @Test
    void streamsNotNamedAreReplayedFromTheSinceTime() throws Exception {
        try (TestNodes cluster = new TestNodes(2, TestNodes.settings())) {
            long since = System.currentTimeMillis();
            publish(cluster, 2, "news", 7);
            Recorder r = new Recorder();
            TestNodes.join(cluster.node(1).subscribe(SubscribeRequest.ofChannels("news")
                    .resumingFrom(new ResumePoint(Map.of(), since)), r).ready());
            Poll.until("7 replayed", Duration.ofSeconds(5), () -> r.count() == 7);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L),
                    r.messages.stream().map(ChannelMessage::sequence).toList());
        }
    }

    @Test
    void replayAndLiveMessagesTogetherComeOnceAndInOrder() throws Exception {
        try (TestNodes cluster = new TestNodes(2, TestNodes.settings())) {
            Recorder first = new Recorder();
            Subscription s = cluster.node(2).subscribe(SubscribeRequest.ofChannels("t"), first);
            TestNodes.join(s.ready());
            publish(cluster, 1, "t", 1);
            Poll.until("1 message", Duration.ofSeconds(5), () -> first.count() == 1);
            String publisher = first.messages.get(0).publisherId();
            s.close();
            // Publishing goes on while the subscriber resumes: replay and live overlap.
            Thread publisherThread = new Thread(() -> publish(cluster, 1, "t", 5_000));
            publisherThread.start();
            Recorder second = new Recorder();
            cluster.node(2).subscribe(SubscribeRequest.ofChannels("t")
                    .resumingFrom(ResumePoint.of(Map.of(new StreamKey("t", publisher), 1L))), second);
            publisherThread.join();
            Poll.until("all 5,000 after the first", Duration.ofSeconds(10), () -> second.count() >= 5_000
                    || !second.gaps.isEmpty());
            cluster.settle(1, "t", second);
            assertTrue(second.gaps.isEmpty(), "gaps: " + second.gaps);
            assertEquals(5_000, second.count());
            assertEquals(0, second.outOfOrder.get());
            assertTrue(second.gaps.isEmpty(), "gaps: " + second.gaps);
            assertEquals(2, second.messages.get(0).sequence());
        }
    }

    private static void publish(TestNodes cluster, int node, String channel, int count) {
        for (int i = 0; i < count; i++) {
            TestNodes.join(cluster.node(node).publish(channel, new byte[] {(byte) i}));
        }
    }
}

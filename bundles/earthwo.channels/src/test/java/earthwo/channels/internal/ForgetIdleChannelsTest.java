package earthwo.channels.internal;

import earthwo.api.channels.ChannelInfo;
import earthwo.api.channels.PublishResult;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.testing.Poll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A channel with no subscriber anywhere, nothing in its window and no traffic for a while is
 * forgotten, so a node's memory does not grow with every channel name ever used; a channel that is
 * forgotten and published on again is a new stream (new publisher id, sequence from 1).
 */
class ForgetIdleChannelsTest {

    /** Windows of 200 ms, so the sweep runs every 100 ms and the window empties once the clock moves. */
    private static ChannelsSettings shortWindows() {
        return TestNodes.settings().withRetention(100, 200);
    }

    @Test
    void anIdleChannelIsForgottenAndPublishedOnAgainAsANewStream() throws Exception {
        try (TestNodes cluster = new TestNodes(1, shortWindows())) {
            ChannelsComponent node = cluster.node(1);
            TestNodes.join(node.subscribe(SubscribeRequest.ofChannels("held"), new Recorder()).ready());
            PublishResult idle1 = TestNodes.join(node.publish("idle", new byte[] {1}));
            TestNodes.join(node.publish("idle", new byte[] {2}));
            PublishResult held1 = TestNodes.join(node.publish("held", new byte[] {1}));
            assertEquals(idle1.publisherId(), held1.publisherId());

            cluster.advanceClock(ChannelHub.FORGET_AFTER_MIN_MS + 1_000);
            Poll.until("the idle channel forgotten", Duration.ofSeconds(5), () -> names(node).equals(List.of("held")),
                    () -> "known: " + names(node));
            assertEquals(1L, node.status().get("channels.forgotten"));

            PublishResult idle2 = TestNodes.join(node.publish("idle", new byte[] {3}));
            assertEquals(1, idle2.sequence());
            assertNotEquals(idle1.publisherId(), idle2.publisherId(), "a new stream, not a sequence started again");
            PublishResult held2 = TestNodes.join(node.publish("held", new byte[] {2}));
            assertEquals(held1.publisherId(), held2.publisherId(), "a channel still held keeps its stream");
            assertEquals(2, held2.sequence());
        }
    }

    @Test
    void aChannelAnotherNodeSubscribesToIsKept() throws Exception {
        try (TestNodes cluster = new TestNodes(2, shortWindows())) {
            Recorder remote = new Recorder();
            TestNodes.join(cluster.node(2).subscribe(SubscribeRequest.ofPatterns("wanted.*"), remote).ready());
            TestNodes.join(cluster.node(1).publish("wanted.a", new byte[] {1}));
            TestNodes.join(cluster.node(1).publish("unwanted", new byte[] {1}));

            cluster.advanceClock(ChannelHub.FORGET_AFTER_MIN_MS + 1_000);
            // Both are judged by the same sweep: once "unwanted" is gone, "wanted.a" was kept on purpose.
            Poll.until("the unwanted channel forgotten", Duration.ofSeconds(5),
                    () -> names(cluster.node(1)).equals(List.of("wanted.a")), () -> "known: " + names(cluster.node(1)));
            assertEquals(List.of("wanted.a"), names(cluster.node(2)), "its subscriber's node keeps it too");
            PublishResult next = TestNodes.join(cluster.node(1).publish("wanted.a", new byte[] {2}));
            assertEquals(2, next.sequence());
            Poll.until("both messages", Duration.ofSeconds(5), () -> remote.count() == 2);
            assertEquals(0, remote.outOfOrder.get());
        }
    }

    private static List<String> names(ChannelsComponent node) {
        return node.list().stream().map(ChannelInfo::name).toList();
    }
}

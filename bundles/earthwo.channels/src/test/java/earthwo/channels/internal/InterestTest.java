package earthwo.channels.internal;

import earthwo.api.channels.PublishResult;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import earthwo.api.testing.Poll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Messages go only to nodes whose subscribers want them; interest follows subscriptions. */
class InterestTest {

    @Test
    void noMessageGoesToANodeWithoutAMatchingSubscription() throws Exception {
        try (TestNodes cluster = new TestNodes(3, TestNodes.settings())) {
            Recorder r = new Recorder();
            Subscription s = cluster.node(2).subscribe(SubscribeRequest.ofPatterns("prices.*"), r);
            TestNodes.join(s.ready());
            assertEquals(List.of(2), cluster.node(1).hub().nodesWanting("prices.eur"));
            assertEquals(List.of(), cluster.node(1).hub().nodesWanting("orders.eu"));

            for (int i = 0; i < 100; i++) {
                cluster.node(1).publish("prices.eur", new byte[] {(byte) i});
                cluster.node(1).publish("orders.eu", new byte[] {(byte) i});
            }
            PublishResult last = TestNodes.join(cluster.node(1).publish("prices.eur", new byte[0]));
            assertEquals(2, last.nodes());
            PublishResult unwanted = TestNodes.join(cluster.node(1).publish("orders.eu", new byte[0]));
            assertEquals(1, unwanted.nodes(), "no other node wants orders.eu");
            Poll.until("101 messages on node 2", Duration.ofSeconds(5), () -> r.count() == 101);
            assertEquals(0, cluster.links.callsTo(3, PeerMessages.MESSAGES), "node 3 has no subscriber");

            s.close();
            Poll.until("node 1 learns node 2 lost interest", Duration.ofSeconds(5),
                    () -> cluster.node(1).hub().nodesWanting("prices.eur").isEmpty());
            long before = cluster.links.callsTo(2, PeerMessages.MESSAGES);
            TestNodes.join(cluster.node(1).publish("prices.eur", new byte[0]));
            assertEquals(before, cluster.links.callsTo(2, PeerMessages.MESSAGES));
        }
    }

    @Test
    void aNodeThatStopsAnsweringIsForgottenAndCountedAsFailed() throws Exception {
        ChannelsSettings settings = ChannelsSettings.resolve(Map.of(ChannelsSettings.INTEREST_REFRESH, "100",
                ChannelsSettings.INTEREST_EXPIRE, "500"), k -> null);
        try (TestNodes cluster = new TestNodes(2, settings)) {
            TestNodes.join(cluster.node(2).subscribe(SubscribeRequest.ofChannels("a"), new Recorder()).ready());
            cluster.links.down.add(2);
            PublishResult r = TestNodes.join(cluster.node(1).publish("a", new byte[0]));
            assertEquals(1, r.nodes());
            assertEquals(1, r.failedNodes());
            // Not heard of for the expiry time: no longer sent to.
            Poll.until("node 2 forgotten", Duration.ofSeconds(5),
                    () -> cluster.node(1).hub().nodesWanting("a").isEmpty());
            cluster.links.down.clear();
            Poll.until("node 2 known again after its refresh", Duration.ofSeconds(5),
                    () -> cluster.node(1).hub().nodesWanting("a").equals(List.of(2)));
        }
    }
}

package earthwo.channels.internal;

import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.PublishResult;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import earthwo.api.testing.Poll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Publishers and subscribers on three nodes: every matching message reaches every subscriber once, in order. */
class FanOutTest {

    private static final int PER_PUBLISHER = 10_000;

    @Test
    void everySubscriberOnEveryNodeGetsEveryMatchingMessageOnceInPublisherOrder() throws Exception {
        try (TestNodes cluster = new TestNodes(3, TestNodes.settings().withBuffer(100_000))) {
            List<Recorder> plain = new ArrayList<>();
            List<Recorder> pattern = new ArrayList<>();
            List<Recorder> everything = new ArrayList<>();
            List<Subscription> subs = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                Recorder p = new Recorder();
                Recorder q = new Recorder();
                Recorder e = new Recorder();
                subs.add(cluster.node(n).subscribe(SubscribeRequest.ofChannels("orders.eu"), p));
                subs.add(cluster.node(n).subscribe(SubscribeRequest.ofPatterns("orders.*"), q));
                subs.add(cluster.node(n).subscribe(SubscribeRequest.ofPatterns("**"), e));
                plain.add(p);
                pattern.add(q);
                everything.add(e);
            }
            for (Subscription s : subs) {
                TestNodes.join(s.ready());
            }

            // Each node publishes on its own thread to two channels; "orders.eu.x" only "**" wants.
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> publishers = new ArrayList<>();
            List<CompletionStage<PublishResult>> last = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int n = 1; n <= 3; n++) {
                ChannelsComponent node = cluster.node(n);
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    CompletionStage<PublishResult> r = null;
                    for (int i = 0; i < PER_PUBLISHER; i++) {
                        String channel = i % 3 == 0 ? "orders.eu" : i % 3 == 1 ? "orders.us" : "orders.eu.x";
                        r = node.publish(channel, ("m" + i).getBytes(StandardCharsets.UTF_8));
                    }
                    last.add(r);
                });
                t.start();
                publishers.add(t);
            }
            go.countDown();
            for (Thread t : publishers) {
                t.join();
            }
            for (CompletionStage<PublishResult> r : last) {
                assertEquals(3, TestNodes.join(r).nodes(), "each node wants orders.eu.x through '**'");
            }

            int eu = 3 * countOf(0);
            int us = 3 * countOf(1);
            int x = 3 * countOf(2);
            for (int n = 0; n < 3; n++) {
                Recorder p = plain.get(n);
                Recorder q = pattern.get(n);
                Recorder e = everything.get(n);
                Poll.until("node " + (n + 1) + " subscribers received everything", Duration.ofSeconds(60),
                        () -> p.count() >= eu && q.count() >= eu + us && e.count() >= eu + us + x);
            }
            // Nothing more must come: a marker from each publisher comes after all it sent.
            for (int n = 1; n <= 3; n++) {
                List<Recorder> all = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    all.addAll(List.of(plain.get(k), pattern.get(k), everything.get(k)));
                }
                cluster.settle(n, "orders.eu", all.toArray(Recorder[]::new));
            }
            for (int n = 0; n < 3; n++) {
                check(plain.get(n), eu, "orders.eu");
                check(pattern.get(n), eu + us, "orders.eu", "orders.us");
                check(everything.get(n), eu + us + x, "orders.eu", "orders.us", "orders.eu.x");
            }
        }
    }

    private static int countOf(int remainder) {
        int n = 0;
        for (int i = 0; i < PER_PUBLISHER; i++) {
            if (i % 3 == remainder) {
                n++;
            }
        }
        return n;
    }

    private static void check(Recorder r, int expected, String... channels) {
        assertEquals(expected, r.count(), "messages received");
        assertEquals(0, r.outOfOrder.get(), "messages out of order or twice");
        assertTrue(r.gaps.isEmpty(), "gaps: " + r.gaps);
        List<String> allowed = List.of(channels);
        synchronized (r.messages) {
            for (ChannelMessage m : r.messages) {
                assertTrue(allowed.contains(m.channel()), "unexpected channel " + m.channel());
            }
            assertEquals(expected, r.messages.stream().map(m -> m.stream() + "#" + m.sequence()).distinct().count(),
                    "distinct messages");
        }
    }

    @Test
    void aPublishOnASingleNodeIsTakenByThatNodeOnly() throws Exception {
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings())) {
            Recorder r = new Recorder();
            TestNodes.join(cluster.node(1).subscribe(SubscribeRequest.ofChannels("a"), r).ready());
            PublishResult first = TestNodes.join(cluster.node(1).publish("a", new byte[] {1}));
            PublishResult second = TestNodes.join(cluster.node(1).publish("a", new byte[] {2}));
            assertEquals(1, first.nodes());
            assertEquals(1, first.sequence());
            assertEquals(2, second.sequence());
            assertEquals(first.publisherId(), second.publisherId());
            Poll.until("two messages", Duration.ofSeconds(5), () -> r.count() == 2);
        }
    }
}

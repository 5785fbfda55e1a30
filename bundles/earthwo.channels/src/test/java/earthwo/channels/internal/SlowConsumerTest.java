package earthwo.channels.internal;

import earthwo.api.ErrorCode;
import earthwo.api.channels.ChannelInfo;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import earthwo.api.testing.Poll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A subscriber that does not take its messages is cut off alone; publishers and others go on. */
class SlowConsumerTest {

    private static final int MESSAGES = 20_000;

    /** The named fault: a subscriber whose connection stopped reading (its subscription paused). */
    static Subscription neverReading(ChannelsComponent node, String channel, int buffer, Recorder r) {
        Subscription s = node.subscribe(SubscribeRequest.ofChannels(channel).withBufferSize(buffer), r);
        s.pause();
        return s;
    }

    /** The named fault: a listener that blocks in its first call until released. */
    static final class BlockedListener extends Recorder {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void onMessage(ChannelMessage m) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.onMessage(m);
        }
    }

    @Test
    void aSubscriberThatNeverReadsIsCutOffWhileAFastOneGetsEverything() throws Exception {
        try (TestNodes cluster = new TestNodes(2, TestNodes.settings().withBuffer(MESSAGES))) {
            Recorder slow = new Recorder();
            Subscription slowSub = neverReading(cluster.node(1), "feed", 100, slow);
            Recorder fastLocal = new Recorder();
            Recorder fastRemote = new Recorder();
            TestNodes.join(cluster.node(1).subscribe(SubscribeRequest.ofChannels("feed"), fastLocal).ready());
            TestNodes.join(cluster.node(2).subscribe(SubscribeRequest.ofChannels("feed"), fastRemote).ready());
            TestNodes.join(slowSub.ready());

            long[] micros = new long[MESSAGES];
            for (int i = 0; i < MESSAGES; i++) {
                long t0 = System.nanoTime();
                cluster.node(1).publish("feed", new byte[100]);
                micros[i] = (System.nanoTime() - t0) / 1_000;
            }
            assertTrue(slow.closed.await(5, TimeUnit.SECONDS), "the slow subscriber hears it was closed");
            assertEquals(ErrorCode.SLOW_CONSUMER, slow.closedWith.get().code());
            assertFalse(slowSub.isOpen());
            Poll.until("fast subscribers got everything", Duration.ofSeconds(30),
                    () -> fastLocal.count() == MESSAGES && fastRemote.count() == MESSAGES);
            assertEquals(0, fastLocal.outOfOrder.get() + fastRemote.outOfOrder.get());

            Arrays.sort(micros);
            long p99 = micros[(int) (MESSAGES * 0.99)];
            assertTrue(p99 < 20_000, "publish p99 " + p99 + " µs: a slow subscriber must not hold publishers up");

            ChannelInfo info = cluster.node(1).list().stream().filter(c -> c.name().equals("feed")).findFirst()
                    .orElseThrow();
            assertEquals(1, info.cutOff());
            assertTrue(info.dropped() >= 101, "the buffered messages and the one that overflowed: " + info.dropped());
            assertEquals(1, info.subscribers(), "the cut-off subscription is gone; the fast one on this node stays");
            assertEquals(1L, cluster.node(1).status().get("cut.off"));
        }
    }

    @Test
    void aListenerBlockedInItsCallIsCutOffAndOthersStillReceive() throws Exception {
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings())) {
            BlockedListener blocked = new BlockedListener();
            Subscription b = cluster.node(1).subscribe(SubscribeRequest.ofChannels("feed").withBufferSize(10), blocked);
            Recorder fast = new Recorder();
            cluster.node(1).subscribe(SubscribeRequest.ofChannels("feed"), fast);
            for (int i = 0; i < 500; i++) {
                cluster.node(1).publish("feed", new byte[] {1});
            }
            Poll.until("fast got all 500", Duration.ofSeconds(10), () -> fast.count() == 500);
            assertFalse(b.isOpen());
            blocked.release.countDown();
            assertTrue(blocked.closed.await(5, TimeUnit.SECONDS));
            assertEquals(ErrorCode.SLOW_CONSUMER, blocked.closedWith.get().code());
            assertEquals(1, blocked.count(), "only the call that was running completes");
        }
    }

    @Test
    void aPausedSubscriptionThatResumesInTimeLosesNothing() throws Exception {
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings())) {
            Recorder r = new Recorder();
            Subscription s = neverReading(cluster.node(1), "feed", 100, r);
            for (int i = 0; i < 100; i++) {
                cluster.node(1).publish("feed", new byte[] {1});
            }
            assertEquals(100, s.buffered());
            s.resume();
            Poll.until("100 delivered", Duration.ofSeconds(5), () -> r.count() == 100);
            assertTrue(s.isOpen());
        }
    }
}

package earthwo.channels.internal;

import earthwo.api.ErrorCode;
import earthwo.api.EarthwoException;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import earthwo.api.testing.Poll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deactivate first refuses new messages, then lets subscriptions deliver what they hold (a bundle
 * update loses nothing accepted), ends every subscription and stops every thread the component
 * started, within a bounded time whatever a subscriber does.
 */
class LifecycleTest {

    /** A listener whose first call waits until released; it notes how many messages it had when closed. */
    static final class HeldListener extends Recorder {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger countWhenClosed = new AtomicInteger(-1);

        @Override
        public void onMessage(ChannelMessage m) {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.onMessage(m);
        }

        @Override
        public void onClosed(EarthwoException reason) {
            countWhenClosed.set(count());
            super.onClosed(reason);
        }
    }

    @Test
    void deactivateLeavesNoThreadAndClosesSubscriptions() throws Exception {
        Recorder r = new Recorder();
        TestNodes cluster = new TestNodes(2, TestNodes.settings());
        cluster.node(1).subscribe(SubscribeRequest.ofChannels("a"), r);
        cluster.node(2).subscribe(SubscribeRequest.ofPatterns("**"), new Recorder());
        for (int i = 0; i < 1_000; i++) {
            cluster.node(2).publish("a", new byte[10]);
        }
        assertTrue(channelThreads().size() > 0);
        cluster.close();
        assertEquals(List.of(), channelThreads());
        assertTrue(r.closed.await(1, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, r.closedWith.get().code());
        EarthwoException e = assertThrows(EarthwoException.class, () -> cluster.node(1).publish("a", new byte[1]));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
    }

    @Test
    void messagesAcceptedBeforeTheStopAreDeliveredBeforeTheSubscriptionEnds() throws Exception {
        TestNodes cluster = new TestNodes(1, TestNodes.settings());
        ChannelsComponent node = cluster.node(1);
        HeldListener held = new HeldListener();
        TestNodes.join(node.subscribe(SubscribeRequest.ofChannels("a").withBufferSize(5_000), held).ready());
        int accepted = 0;
        for (int i = 0; i < 1_000; i++) {
            node.publish("a", new byte[] {(byte) i});
            accepted++;
        }
        CompletableFuture<Void> stop = CompletableFuture.runAsync(cluster::close);
        // Publishing on until the stop refuses: every publish it still took counts.
        AtomicInteger more = new AtomicInteger();
        Poll.until("publishes refused", Duration.ofSeconds(5), () -> {
            try {
                node.publish("a", new byte[] {1});
                more.incrementAndGet();
                return false;
            } catch (EarthwoException e) {
                return e.code() == ErrorCode.UNAVAILABLE;
            }
        });
        assertFalse(stop.isDone(), "the stop waits for the held listener");
        held.release.countDown();
        stop.get(5, TimeUnit.SECONDS);

        assertTrue(held.closed.await(1, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, held.closedWith.get().code());
        assertEquals(accepted + more.get(), held.countWhenClosed.get(), "every accepted message came before onClosed");
        assertEquals(0, held.outOfOrder.get());
        assertEquals(0L, node.status().get("dropped"));
        assertEquals(List.of(), channelThreads());
    }

    @Test
    void aPausedSubscriptionDoesNotHoldTheStop() throws Exception {
        TestNodes cluster = new TestNodes(1, TestNodes.settings());
        ChannelsComponent node = cluster.node(1);
        Recorder paused = new Recorder();
        Subscription s = SlowConsumerTest.neverReading(node, "a", 100, paused);
        Recorder live = new Recorder();
        TestNodes.join(node.subscribe(SubscribeRequest.ofChannels("a"), live).ready());
        for (int i = 0; i < 50; i++) {
            node.publish("a", new byte[] {1});
        }
        assertEquals(50, s.buffered());
        long t0 = System.nanoTime();
        cluster.close();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < ChannelHub.STOP_WAIT_MS, "stopped in " + ms + " ms");
        assertEquals(50, live.count());
        assertTrue(paused.closed.await(1, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, paused.closedWith.get().code());
        assertEquals(0, paused.count());
        assertEquals(50L, node.status().get("dropped"), "what the paused subscription held is counted as dropped");
    }

    @Test
    void aStuckListenerHoldsTheStopOnlyForTheBoundedWait() throws Exception {
        TestNodes cluster = new TestNodes(1, TestNodes.settings());
        ChannelsComponent node = cluster.node(1);
        SlowConsumerTest.BlockedListener stuck = new SlowConsumerTest.BlockedListener();
        TestNodes.join(node.subscribe(SubscribeRequest.ofChannels("a"), stuck).ready());
        for (int i = 0; i < 10; i++) {
            node.publish("a", new byte[] {1});
        }
        long t0 = System.nanoTime();
        cluster.close();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 2 * ChannelHub.STOP_WAIT_MS, "stopped in " + ms + " ms");
        assertTrue(stuck.closed.await(1, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, stuck.closedWith.get().code());
        assertEquals(List.of(), channelThreads());
    }

    private static List<String> channelThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("earthwo-channels-")).toList();
    }
}

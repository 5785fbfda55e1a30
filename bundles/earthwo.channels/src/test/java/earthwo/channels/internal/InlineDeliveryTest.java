package earthwo.channels.internal;

import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.SubscribeRequest;
import earthwo.api.channels.Subscription;
import earthwo.api.testing.Poll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listeners that never block may be called on the publishing thread: in order, never two calls at
 * once, and only while a message has few subscribers on the node.
 */
class InlineDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MESSAGES = 5_000;
    private static final String PUBLISHER_THREAD = "inline-test-publisher";

    /** Records sequences and the threads it was called on; fails the test on overlapping calls. */
    private static final class Listener implements ChannelListener {
        final boolean neverBlocks;
        final List<Long> sequences = new CopyOnWriteArrayList<>();
        final AtomicInteger onPublisherThread = new AtomicInteger();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();

        Listener(boolean neverBlocks) {
            this.neverBlocks = neverBlocks;
        }

        @Override
        public boolean neverBlocks() {
            return neverBlocks;
        }

        @Override
        public void onMessage(ChannelMessage m) {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            if (Thread.currentThread().getName().equals(PUBLISHER_THREAD)) {
                onPublisherThread.incrementAndGet();
            }
            sequences.add(m.sequence());
            inside.decrementAndGet();
        }
    }

    private static void publishFromOwnThread(ChannelsComponent node) throws InterruptedException {
        Thread t = new Thread(() -> {
            for (int i = 0; i < MESSAGES; i++) {
                node.publish("inline", new byte[] {1});
            }
        }, PUBLISHER_THREAD);
        t.start();
        t.join();
    }

    private static void assertAllInOrder(Listener l) throws InterruptedException {
        Poll.until("every message delivered", WAIT, () -> l.sequences.size() >= MESSAGES, () -> l.sequences.size() + "");
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= MESSAGES; s++) {
            expected.add(s);
        }
        assertEquals(expected, l.sequences);
        assertEquals(0, l.overlaps.get(), "calls of one subscription overlapped");
    }

    @Test
    void aListenerThatNeverBlocksIsCalledOnThePublishersThreadInOrder() throws Exception {
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings().withBuffer(100_000))) {
            Listener quick = new Listener(true);
            Listener ordinary = new Listener(false);
            List<Subscription> subs = List.of(
                    cluster.node(1).subscribe(SubscribeRequest.ofChannels("inline"), quick),
                    cluster.node(1).subscribe(SubscribeRequest.ofPatterns("in*"), ordinary));
            subs.forEach(s -> TestNodes.join(s.ready()));
            publishFromOwnThread(cluster.node(1));
            assertAllInOrder(quick);
            assertAllInOrder(ordinary);
            assertTrue(quick.onPublisherThread.get() > 0, "no message was delivered on the publishing thread");
            assertEquals(0, ordinary.onPublisherThread.get(), "a listener that may block ran on the publishing thread");
        }
    }

    @Test
    void aLargerFanOutGoesToTheDeliveryThreads() throws Exception {
        try (TestNodes cluster = new TestNodes(1, TestNodes.settings().withBuffer(100_000))) {
            List<Listener> listeners = new ArrayList<>();
            for (int i = 0; i <= ChannelHub.INLINE_FAN_OUT; i++) {
                Listener l = new Listener(true);
                listeners.add(l);
                TestNodes.join(cluster.node(1).subscribe(SubscribeRequest.ofChannels("inline"), l).ready());
            }
            publishFromOwnThread(cluster.node(1));
            for (Listener l : listeners) {
                assertAllInOrder(l);
                assertEquals(0, l.onPublisherThread.get(), "a message with " + listeners.size()
                        + " subscribers was delivered on the publishing thread");
            }
        }
    }
}

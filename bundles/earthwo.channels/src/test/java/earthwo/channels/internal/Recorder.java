package earthwo.channels.internal;

import earthwo.api.EarthwoException;
import earthwo.api.channels.ChannelListener;
import earthwo.api.channels.ChannelMessage;
import earthwo.api.channels.Gap;
import earthwo.api.channels.StreamKey;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A listener that keeps what it receives and checks, as it goes, that each stream's messages come
 * once and in sequence (counting what does not: {@link #outOfOrder}).
 */
class Recorder implements ChannelListener {

    final List<ChannelMessage> messages = Collections.synchronizedList(new ArrayList<>());
    final List<Gap> gaps = new CopyOnWriteArrayList<>();
    final Map<StreamKey, Long> last = new ConcurrentHashMap<>();
    final AtomicInteger outOfOrder = new AtomicInteger();
    final AtomicReference<EarthwoException> closedWith = new AtomicReference<>();
    final CountDownLatch closed = new CountDownLatch(1);
    final List<Object> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onMessage(ChannelMessage m) {
        Long before = last.put(m.stream(), m.sequence());
        if (before != null && m.sequence() != before + 1) {
            outOfOrder.incrementAndGet();
        }
        messages.add(m);
        events.add(m);
    }

    @Override
    public void onGap(Gap gap) {
        gaps.add(gap);
        events.add(gap);
        // After a gap the stream continues from the message after it.
        last.put(new StreamKey(gap.channel(), gap.publisherId()), gap.lastMissing());
    }

    @Override
    public void onClosed(EarthwoException reason) {
        closedWith.set(reason);
        closed.countDown();
    }

    int count() {
        return messages.size();
    }

    /** Whether the message a publish answered with has come. */
    boolean has(earthwo.api.channels.PublishResult p) {
        synchronized (messages) {
            return messages.stream().anyMatch(m -> m.publisherId().equals(p.publisherId()) && m.sequence() == p.sequence());
        }
    }

    /** Takes that message out of what was received (a test's marker). */
    void forget(earthwo.api.channels.PublishResult p) {
        messages.removeIf(m -> m.publisherId().equals(p.publisherId()) && m.sequence() == p.sequence());
        events.removeIf(e -> e instanceof ChannelMessage m && m.publisherId().equals(p.publisherId())
                && m.sequence() == p.sequence());
    }
}

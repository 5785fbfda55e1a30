package earthwo.hooks.internal;

import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A hook that records every batch it is given and what it acknowledged, and misbehaves on
 * request: the next calls fail, throw, never complete, or block inside deliver until released.
 */
final class TestHook implements KeyHook {

    enum Fault { FAIL, THROW, NEVER, NULL }

    final List<List<KeyEvent>> calls = new CopyOnWriteArrayList<>();
    final List<KeyEvent> acknowledged = new CopyOnWriteArrayList<>();
    final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch block;
    private final CountDownLatch entered = new CountDownLatch(1);

    /** From now on, deliver blocks (on the hook's thread) until {@link #release()}. */
    void blockInside() {
        block = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch b = block;
        block = null;
        if (b != null) {
            b.countDown();
        }
    }

    boolean enteredBlocked() {
        return entered.getCount() == 0;
    }

    @Override
    public CompletionStage<Void> deliver(List<KeyEvent> events) {
        calls.add(List.copyOf(events));
        threads.add(Thread.currentThread().getName());
        CountDownLatch b = block;
        if (b != null) {
            entered.countDown();
            try {
                while (!b.await(10, TimeUnit.SECONDS)) {
                    // a test that forgot to release: keep blocking, as a hung hook would
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Fault f = faults.poll();
        if (f == Fault.THROW) {
            throw new IllegalStateException("hook threw");
        }
        if (f == Fault.FAIL) {
            return CompletableFuture.failedFuture(new IllegalStateException("hook failed"));
        }
        if (f == Fault.NEVER) {
            return new CompletableFuture<>();
        }
        if (f == Fault.NULL) {
            return null;
        }
        acknowledged.addAll(events);
        return CompletableFuture.completedFuture(null);
    }

    /** Acknowledged events that are changes (not GAPs). */
    List<KeyEvent> changes() {
        List<KeyEvent> out = new ArrayList<>();
        for (KeyEvent e : acknowledged) {
            if (e.type() != EventType.GAP) {
                out.add(e);
            }
        }
        return out;
    }
}

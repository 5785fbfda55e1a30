package earthwo.hooks.internal;

import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One attempt to hand a batch to a hook: calls {@link KeyHook#deliver} on the calling thread
 * (the hook's own) and waits for the stage until the timeout, counted from the call. A stage
 * that completes later is ignored: the batch goes again. A call that does not return cannot be
 * timed out (nothing interrupts the hook's thread); its {@link CallWatch} shows it stuck.
 */
final class Delivery {

    /** How an attempt ended: {@code failure} null when the hook acknowledged the batch. */
    record Outcome(String failure) {

        static final Outcome OK = new Outcome(null);

        boolean ok() {
            return failure == null;
        }
    }

    private Delivery() {
    }

    static Outcome attempt(KeyHook hook, List<KeyEvent> batch, long timeoutMillis) {
        return attempt(hook, batch, timeoutMillis, null);
    }

    /** {@code watch}: told when the call starts and returns (null: none). */
    static Outcome attempt(KeyHook hook, List<KeyEvent> batch, long timeoutMillis, CallWatch watch) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        CompletionStage<Void> stage;
        if (watch != null) {
            watch.begin();
        }
        try {
            stage = hook.deliver(Collections.unmodifiableList(batch));
        } catch (RuntimeException | LinkageError e) {
            return new Outcome("deliver threw " + describe(e));
        } finally {
            if (watch != null) {
                watch.end();
            }
            // The hook ran on this thread and may have left it interrupted; the next store call
            // would then meet the interrupt inside JE, which invalidates the node's environment.
            Thread.interrupted();
        }
        if (stage == null) {
            return new Outcome("deliver returned null instead of a stage");
        }
        // Through a future of our own: toCompletableFuture() is optional for a CompletionStage.
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            stage.whenComplete((v, e) -> {
                if (e == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            return new Outcome("the stage deliver returned threw " + describe(e));
        }
        try {
            done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return Outcome.OK;
        } catch (TimeoutException e) {
            return new Outcome("not acknowledged within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            return new Outcome("failed: " + describe(e.getCause()));
        } catch (InterruptedException e) {
            // Not restored, for the same reason as above; nothing of this bundle interrupts.
            return new Outcome("interrupted while waiting");
        }
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        return msg == null || msg.isBlank() ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + msg;
    }
}

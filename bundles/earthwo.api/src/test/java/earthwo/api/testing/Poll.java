package earthwo.api.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, for the tests of every bundle and of the node processes. */
public final class Poll {

    private static final long INTERVAL_MS = 20;

    private Poll() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} when it still does not after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        until(what, timeout, condition, () -> "");
    }

    /** As {@link #until(String, Duration, BooleanSupplier)}, the failure also saying how things stood ({@code lastState}). */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> lastState)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                String state = lastState.get();
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what
                        + (state.isEmpty() ? "" : " (" + state + ")"));
            }
            Thread.sleep(INTERVAL_MS);
        }
    }
}

package earthwo.api;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** Waits for a completion stage and rethrows its typed failure unwrapped. */
public final class Futures {

    private Futures() {
    }

    public static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof EarthwoException ee) {
                throw ee;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new EarthwoException(ErrorCode.INTERNAL, String.valueOf(cause), cause);
        }
    }
}

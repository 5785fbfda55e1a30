package earthwo.replication.internal;

import org.slf4j.Logger;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** How the replication components stop what they started in their deactivate methods. */
public final class Shutdown {

    private Shutdown() {
    }

    /**
     * Removes a map listener, interrupts the component's thread and waits up to 10 s for it to
     * end (logging {@code what} if it does not). Never throws.
     */
    public static void listenerAndThread(AutoCloseable mapListener, ExecutorService thread, String what, Logger log) {
        try {
            mapListener.close();
        } catch (Exception e) {
            log.debug("removing the map listener failed", e);
        }
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("{} still running after 10 s", what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

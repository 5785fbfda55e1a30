package earthwo.channels.internal;

import earthwo.api.channels.PublishResult;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts the nodes that took one published message and completes the publish when all answered. */
final class PublishTracker {

    private final String publisherId;
    private final long sequence;
    private final AtomicInteger waiting;
    private final AtomicInteger took = new AtomicInteger(1); // the publishing node keeps it in its window
    private final AtomicInteger failed = new AtomicInteger();
    private final CompletableFuture<PublishResult> result = new CompletableFuture<>();

    PublishTracker(String publisherId, long sequence, int remoteNodes) {
        this.publisherId = publisherId;
        this.sequence = sequence;
        this.waiting = new AtomicInteger(remoteNodes);
        if (remoteNodes == 0) {
            complete();
        }
    }

    void answered(boolean tookIt) {
        (tookIt ? took : failed).incrementAndGet();
        if (waiting.decrementAndGet() == 0) {
            complete();
        }
    }

    CompletableFuture<PublishResult> result() {
        return result;
    }

    private void complete() {
        result.complete(new PublishResult(took.get(), failed.get(), publisherId, sequence));
    }
}

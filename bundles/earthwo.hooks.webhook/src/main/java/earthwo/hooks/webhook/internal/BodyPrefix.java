package earthwo.hooks.webhook.internal;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a whole response body (so the connection can be reused) but keeps only its first bytes,
 * for the message of a refused delivery: a receiver answering an error with a large page costs
 * no memory.
 */
final class BodyPrefix implements HttpResponse.BodySubscriber<String> {

    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<String> body = new CompletableFuture<>();

    BodyPrefix(int limit) {
        this.limit = limit;
    }

    @Override
    public CompletionStage<String> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (ByteBuffer b : items) {
            int n = Math.min(b.remaining(), limit - kept.size());
            if (n > 0) {
                byte[] part = new byte[n];
                b.get(part);
                kept.write(part, 0, n);
            }
        }
    }

    @Override
    public void onError(Throwable error) {
        body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        // A cut in the middle of a character decodes to a replacement character: fine for a message.
        body.complete(new String(kept.toByteArray(), StandardCharsets.UTF_8));
    }
}

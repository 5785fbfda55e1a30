package earthwo.hooks.webhook.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * POSTs bodies to one URL with {@link HttpClient#sendAsync}, so the caller's thread never waits
 * on the network. A POST is acknowledged by a 2xx answer; anything else, an I/O error, or no
 * whole answer within the timeout fails it with a {@link DeliveryFailure}.
 *
 * <p>The client runs on an executor of its own, which {@link #close()} shuts down (with every
 * POST still pending failed), so no thread of this bundle outlives the webhook.
 */
final class WebhookClient implements AutoCloseable {

    static final String THREAD_PREFIX = "earthwo-webhook-";
    /** Bytes of an error answer read into the failure's message (which keeps {@value DeliveryFailure#MAX_BODY_CHARS} characters). */
    private static final int ERROR_BODY_BYTES = 1024;

    private final String hook;
    private final URI url;
    private final long timeoutMs;
    private final ExecutorService executor;
    private final HttpClient http;
    private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    WebhookClient(String hook, URI url, long timeoutMs) {
        this.hook = hook;
        this.url = url;
        this.timeoutMs = timeoutMs;
        this.executor = Executors.newCachedThreadPool(daemonThreads(THREAD_PREFIX + hook + "-"));
        this.http = HttpClient.newBuilder()
                .executor(executor)
                .connectTimeout(Duration.ofMillis(timeoutMs))
                // A redirect of a POST is a receiver's misconfiguration: reported as a failure, not followed.
                .followRedirects(HttpClient.Redirect.NEVER)
                // HTTP/1.1: no h2c upgrade attempt on http:// URLs, which some receivers mishandle with a body.
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** Posts {@code body} with {@code headers}; completes normally on a 2xx answer. */
    CompletableFuture<Void> post(byte[] body, Map<String, String> headers) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        pending.add(result);
        result.whenComplete((v, e) -> pending.remove(result));
        if (closed) {
            result.completeExceptionally(stopped());
            return result;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofMillis(timeoutMs))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        CompletableFuture<HttpResponse<String>> exchange;
        try {
            exchange = http.sendAsync(request.build(), info -> info.statusCode() / 100 == 2
                    ? HttpResponse.BodySubscribers.replacing("") : new BodyPrefix(ERROR_BODY_BYTES));
        } catch (RuntimeException e) { // a closed client, a header the client refuses
            result.completeExceptionally(noAnswer(e));
            return result;
        }
        CompletableFuture<Void> answer = exchange.thenApply(this::acknowledgement);
        // The request timeout covers the answer's head only; this bounds the whole exchange, body included.
        answer.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e == null) {
                result.complete(null);
                return;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                exchange.cancel(true);
            }
            result.completeExceptionally(cause instanceof DeliveryFailure ? cause : noAnswer(cause));
        });
        return result;
    }

    /** Null for a 2xx answer; otherwise throws the failure naming the status and the start of the body. */
    private Void acknowledgement(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status / 100 == 2) {
            return null;
        }
        throw new CompletionException(new DeliveryFailure(status, "webhook " + hook + ": HTTP " + status + " from " + url
                + ": " + DeliveryFailure.excerpt(response.body()), null));
    }

    private DeliveryFailure noAnswer(Throwable e) {
        String why = e instanceof HttpTimeoutException || e instanceof TimeoutException
                ? "no answer within " + timeoutMs + " ms"
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new DeliveryFailure(-1, "webhook " + hook + ": POST to " + url + " failed: " + why, e);
    }

    private DeliveryFailure stopped() {
        return new DeliveryFailure(-1, "webhook " + hook + " was stopped", null);
    }

    /** POSTs not yet answered. */
    int pending() {
        return pending.size();
    }

    /** Fails the pending POSTs and stops the client's threads. */
    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<Void> f : pending) {
            f.completeExceptionally(stopped());
        }
        executor.shutdownNow();
        shutdownNow(http);
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Java 21 can stop an HttpClient's selector thread at once (shutdownNow); on Java 17 that
     * thread ends by itself once the client is no longer referenced, which close() allows.
     */
    private static void shutdownNow(HttpClient client) {
        try {
            HttpClient.class.getMethod("shutdownNow").invoke(client);
        } catch (NoSuchMethodException java17) {
            // nothing to call: see above
        } catch (ReflectiveOperationException | RuntimeException e) {
            // best effort: the thread still ends with the client
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return "webhook client " + hook + " -> " + url;
    }
}

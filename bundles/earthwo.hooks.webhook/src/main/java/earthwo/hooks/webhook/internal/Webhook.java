package earthwo.hooks.webhook.internal;

import earthwo.api.hooks.KeyEvent;
import earthwo.api.hooks.KeyHook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One configured webhook as a {@link KeyHook}: each batch becomes one signed JSON POST
 * ({@link WebhookBody}), acknowledged when the receiver answers 2xx. The dispatcher retries a
 * failed batch with back-off, so a receiver sees every event at least once and should drop
 * repeats by the event's {@code id}.
 */
final class Webhook implements KeyHook {

    static final String CONTENT_TYPE = "application/json";
    static final String SIGNATURE_HEADER = "X-Earthwo-Signature";
    static final String HOOK_HEADER = "X-Earthwo-Hook";

    private final String name;
    private final Secret secret;
    private final Supplier<OptionalInt> nodeId;
    private final WebhookClient client;

    Webhook(WebhookSettings settings, Supplier<OptionalInt> nodeId, WebhookClient client) {
        this.name = settings.name;
        this.secret = settings.secret;
        this.nodeId = nodeId;
        this.client = client;
    }

    @Override
    public CompletionStage<Void> deliver(List<KeyEvent> events) {
        try {
            byte[] body = WebhookBody.render(name, nodeId.get(), events);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", CONTENT_TYPE);
            headers.put(HOOK_HEADER, name);
            if (secret != null) {
                headers.put(SIGNATURE_HEADER, secret.sign(body));
            }
            return client.post(body, headers);
        } catch (RuntimeException e) { // a failed stage, never a throw: the dispatcher retries either way
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String toString() {
        return client.toString();
    }
}

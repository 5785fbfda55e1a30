package earthwo.hooks.webhook.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.testing.Poll;
import earthwo.api.hooks.KeyEvent;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A webhook against a real HTTP receiver on 127.0.0.1. */
class WebhookTest {

    private static final String SECRET = "the-hmac-key";

    private TestReceiver receiver;
    private WebhookClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private Webhook webhook(URI url, String secret, long timeoutMs) {
        Map<String, Object> c = new HashMap<>();
        c.put(WebhookSettings.NAME, "orders");
        c.put(WebhookSettings.URL, url.toString());
        c.put(WebhookSettings.TIMEOUT, String.valueOf(timeoutMs));
        if (secret != null) {
            c.put(WebhookSettings.SECRET, secret);
        }
        WebhookSettings s = WebhookSettings.resolve(c);
        client = new WebhookClient(s.name, s.url, s.timeoutMs);
        return new Webhook(s, () -> OptionalInt.of(4), client);
    }

    /** The signature computed here, independently of the webhook's code. */
    private static String hmac(String key, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static DeliveryFailure failure(CompletableFuture<Void> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        return assertInstanceOf(DeliveryFailure.class, e.getCause());
    }

    @Test
    void aBatchIsOneSignedJsonPostAcknowledgedBy2xx() throws Exception {
        receiver = new TestReceiver().answering(204, "");
        Webhook hook = webhook(receiver.url(), SECRET, 5_000);
        List<KeyEvent> events = List.of(Events.created("order:1", "one"), Events.deleted("order:2"));
        assertNull(hook.deliver(events).toCompletableFuture().get(20, TimeUnit.SECONDS));

        assertEquals(1, receiver.requests.size());
        TestReceiver.Request r = receiver.requests.get(0);
        assertEquals("POST", r.method());
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("orders", r.header("X-Earthwo-Hook"));
        assertEquals(hmac(SECRET, r.body()), r.header("X-Earthwo-Signature"));
        assertTrue(r.text().startsWith("{\"hook\":\"orders\",\"node\":4,\"events\":[{\"id\":\"" + events.get(0).id()), r.text());
        assertTrue(r.text().contains("\"type\":\"DELETED\""), r.text());
    }

    @Test
    void withoutASecretThereIsNoSignature() throws Exception {
        receiver = new TestReceiver();
        Webhook hook = webhook(receiver.url(), null, 5_000);
        hook.deliver(List.of(Events.created("a", "b"))).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertNull(receiver.requests.get(0).header("X-Earthwo-Signature"));
        assertEquals("orders", receiver.requests.get(0).header("X-Earthwo-Hook"));
    }

    @Test
    void anAnswerOtherThan2xxFailsTheBatchWithTheStatusAndTheStartOfTheBody() throws Exception {
        receiver = new TestReceiver().answering(500, "boom\n" + "x".repeat(1000));
        Webhook hook = webhook(receiver.url(), SECRET, 5_000);
        DeliveryFailure f = failure(hook.deliver(List.of(Events.created("a", "b"))).toCompletableFuture());
        assertEquals(500, f.status());
        assertTrue(f.getMessage().startsWith("webhook orders: HTTP 500 from " + receiver.url() + ": boom x"), f.getMessage());
        String body = f.getMessage().substring(f.getMessage().indexOf(": boom") + 2);
        assertEquals(DeliveryFailure.MAX_BODY_CHARS, body.length(), "at most 200 characters of the body");
        assertFalse(f.getMessage().contains("\n"));

        receiver.answering(302, "");
        assertEquals(302, failure(hook.deliver(List.of(Events.created("a", "b"))).toCompletableFuture()).status(),
                "a redirect is not followed");
        receiver.answering(404, "");
        assertEquals(404, failure(hook.deliver(List.of(Events.created("a", "b"))).toCompletableFuture()).status());
    }

    @Test
    void noAnswerWithinTheTimeoutFailsTheBatchAndTheCallerNeverWaits() throws Exception {
        receiver = new TestReceiver().stalling();
        Webhook hook = webhook(receiver.url(), SECRET, 1_500);
        long start = System.nanoTime();
        CompletableFuture<Void> f = hook.deliver(List.of(Events.created("a", "b"))).toCompletableFuture();
        long callMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(callMs < 1_000, "deliver returned after " + callMs + " ms, not at once");
        DeliveryFailure failure = failure(f);
        long failedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(-1, failure.status());
        assertTrue(failure.getMessage().contains("no answer within 1500 ms"), failure.getMessage());
        assertTrue(failedMs >= 1_400 && failedMs < 10_000, "failed after " + failedMs + " ms");
        Poll.until("the timed-out POST is forgotten", Duration.ofSeconds(5), () -> client.pending() == 0);
    }

    @Test
    void aReceiverThatIsDownFailsTheBatch() throws Exception {
        TestReceiver gone = new TestReceiver();
        URI url = gone.url();
        gone.close();
        Webhook hook = webhook(url, SECRET, 2_000);
        DeliveryFailure f = failure(hook.deliver(List.of(Events.created("a", "b"))).toCompletableFuture());
        assertEquals(-1, f.status());
        assertTrue(f.getMessage().startsWith("webhook orders: POST to " + url + " failed: "), f.getMessage());
    }

    @Test
    void closeFailsWhatIsPendingAndStopsTheClientsThreads() throws Exception {
        receiver = new TestReceiver().stalling();
        Webhook hook = webhook(receiver.url(), SECRET, 60_000);
        CompletableFuture<Void> pending = hook.deliver(List.of(Events.created("a", "b"))).toCompletableFuture();
        Poll.until("the receiver got the POST", Duration.ofSeconds(10), () -> receiver.requests.size() == 1);
        assertTrue(threads() > 0, "the client runs threads of its own");
        client.close();
        assertTrue(failure(pending).getMessage().contains("stopped"));
        assertTrue(failure(hook.deliver(List.of(Events.created("a", "b"))).toCompletableFuture()).getMessage().contains("stopped"),
                "a delivery after close fails at once");
        Poll.until("no webhook thread left", Duration.ofSeconds(10), () -> threads() == 0);
    }

    private static long threads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(WebhookClient.THREAD_PREFIX) && t.isAlive()).count();
    }
}

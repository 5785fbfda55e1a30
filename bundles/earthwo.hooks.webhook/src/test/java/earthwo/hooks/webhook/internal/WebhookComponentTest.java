package earthwo.hooks.webhook.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.hooks.KeyHook;
import earthwo.api.testing.Poll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookComponentTest {

    private final FakeBundleContext bundle = new FakeBundleContext();
    private final List<WebhookComponent> active = new ArrayList<>();
    private TestReceiver receiver;

    @AfterEach
    void stop() {
        active.forEach(WebhookComponent::deactivate);
        if (receiver != null) {
            receiver.close();
        }
    }

    private WebhookComponent activate(String pid, String... kv) {
        Map<String, Object> config = new HashMap<>();
        config.put("service.pid", pid);
        config.put("service.factoryPid", WebhookSettings.PID);
        config.put("component.name", WebhookComponent.class.getName());
        for (int i = 0; i < kv.length; i += 2) {
            config.put(kv[i], kv[i + 1]);
        }
        WebhookComponent c = new WebhookComponent();
        c.activate(bundle.context, config);
        active.add(c);
        return c;
    }

    @Test
    void aValidConfigurationRegistersOneKeyHookWithOnlyTheHookProperties() throws Exception {
        receiver = new TestReceiver();
        WebhookComponent c = activate(WebhookSettings.PID + "~orders", "name", "orders", "url", receiver.url().toString(),
                "prefixes", "order:", "events", "CREATED,UPDATED", "batch.size", "10", "secret", "k");
        assertEquals(1, bundle.services.size());
        FakeBundleContext.Registered r = bundle.services.get(0);
        assertEquals(KeyHook.class, r.type());
        assertEquals(Set.of(KeyHook.NAME, KeyHook.PREFIXES, KeyHook.EVENTS, KeyHook.BATCH, KeyHook.TIMEOUT_MS,
                KeyHook.MAX_BACKOFF_MS), r.properties().keySet());
        assertEquals(10, r.properties().get(KeyHook.BATCH));

        KeyHook hook = assertInstanceOf(KeyHook.class, r.service());
        hook.deliver(List.of(Events.created("order:1", "x"))).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(1, receiver.requests.size());
        assertTrue(receiver.requests.get(0).text().startsWith("{\"hook\":\"orders\",\"events\":"),
                "no cluster view: no node id: " + receiver.requests.get(0).text());

        c.deactivate();
        active.remove(c);
        assertEquals(List.of(), bundle.services);
        Poll.until("the client's threads ended", Duration.ofSeconds(10), () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith(WebhookClient.THREAD_PREFIX + "orders-")));
    }

    @Test
    void aRefusedConfigurationLogsOneErrorAndRegistersNothing() {
        String log;
        try (LogCapture capture = new LogCapture()) {
            activate("earthwo.hooks.webhook~bad", "name", "bad", "url", "ftp://example.test/x");
            activate("earthwo.hooks.webhook~noname", "url", "http://example.test/x");
            log = capture.text();
        }
        assertEquals(List.of(), bundle.services);
        assertTrue(log.contains("ERROR") && log.contains("webhook configuration earthwo.hooks.webhook~bad refused, no webhook"
                + " started: setting url must start with http:// or https://, not 'ftp://example.test/x'"), log);
        assertTrue(log.contains("webhook configuration earthwo.hooks.webhook~noname refused") && log.contains("name is required"), log);
    }

    @Test
    void aSecondConfigurationWithTheSameNameIsRefusedUntilTheFirstGoes() {
        String log;
        WebhookComponent first;
        try (LogCapture capture = new LogCapture()) {
            first = activate("p1", "name", "dup", "url", "http://127.0.0.1:9/x");
            activate("p2", "name", "dup", "url", "http://127.0.0.1:9/y");
            log = capture.text();
        }
        assertEquals(1, bundle.services.size());
        assertTrue(log.contains("webhook configuration p2 refused, no webhook started: the name dup is already used by"
                + " configuration p1"), log);
        first.deactivate();
        active.remove(first);
        activate("p3", "name", "dup", "url", "http://127.0.0.1:9/z");
        assertEquals(1, bundle.services.size(), "the name is free again");
    }
}

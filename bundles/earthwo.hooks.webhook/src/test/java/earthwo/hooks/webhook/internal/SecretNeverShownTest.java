package earthwo.hooks.webhook.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.hooks.KeyHook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HMAC secret appears in no rendering: settings, the Secret itself, the hook, its service
 * properties, the log of starting, refusing and stopping, delivery failures, and the commands'
 * output and errors.
 */
class SecretNeverShownTest {

    private static final String INLINE = "Inline-S3cr3t-4711";
    private static final String IN_FILE = "File-S3cr3t-0815";

    @TempDir
    Path dir;

    private static void assertHidden(String rendering) {
        assertFalse(rendering.contains(INLINE), rendering);
        assertFalse(rendering.contains(IN_FILE), rendering);
        assertFalse(rendering.contains("S3cr3t"), rendering);
    }

    private static String render(Map<String, Object> props) {
        StringBuilder b = new StringBuilder();
        props.forEach((k, v) -> b.append(k).append('=').append(v instanceof Object[] a ? Arrays.deepToString(a) : v).append('\n'));
        return b.toString();
    }

    private Map<String, Object> config(String url, boolean inline) throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("service.pid", "earthwo.hooks.webhook~orders");
        c.put(WebhookSettings.NAME, "orders");
        c.put(WebhookSettings.URL, url);
        if (inline) {
            c.put(WebhookSettings.SECRET, INLINE);
        } else {
            Path f = dir.resolve("secret");
            Files.writeString(f, IN_FILE);
            c.put(WebhookSettings.SECRET_FILE, f.toString());
        }
        return c;
    }

    @Test
    void notInTheSettingsTheSecretOrTheServiceProperties() throws Exception {
        for (boolean inline : new boolean[] {true, false}) {
            WebhookSettings s = WebhookSettings.resolve(config("http://127.0.0.1:9/x", inline));
            assertTrue(s.toString().endsWith("secret set"), s.toString());
            assertHidden(s.toString());
            assertHidden(s.secret.toString());
            assertHidden(render(s.serviceProperties()));
        }
    }

    @Test
    void notInTheLogNorTheRegisteredServiceNorAFailedDelivery() throws Exception {
        FakeBundleContext bundle = new FakeBundleContext();
        String log;
        try (LogCapture capture = new LogCapture(); TestReceiver receiver = new TestReceiver().answering(401, "bad signature")) {
            WebhookComponent refused = new WebhookComponent();
            Map<String, Object> bad = config("ftp://127.0.0.1/x", true);
            refused.activate(bundle.context, bad);
            refused.deactivate();

            WebhookComponent c = new WebhookComponent();
            c.activate(bundle.context, config(receiver.url().toString(), true));
            assertEquals(1, bundle.services.size());
            FakeBundleContext.Registered r = bundle.services.get(0);
            assertHidden(render(r.properties()));
            assertHidden(r.service().toString());
            ExecutionException e = assertThrows(ExecutionException.class, () -> ((KeyHook) r.service())
                    .deliver(List.of(Events.created("a", "b"))).toCompletableFuture().get(20, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("HTTP 401"), e.getCause().getMessage());
            assertHidden(e.getCause().toString());
            c.deactivate();
            log = capture.text();
        }
        assertTrue(log.contains("refused") && log.contains("started webhook orders") && log.contains("secret set")
                && log.contains("stopped webhook orders"), log);
        assertHidden(log);
    }

    @Test
    void notInTheCommandsOutputOrErrors() throws Exception {
        FakeConfigAdmin cm = new FakeConfigAdmin();
        cm.add("earthwo.hooks.webhook.1", WebhookSettings.PID, config("http://127.0.0.1:9/x", true));
        cm.add("earthwo.hooks.webhook.2", WebhookSettings.PID, Map.of(WebhookSettings.NAME, "both",
                WebhookSettings.URL, "http://h/x", WebhookSettings.SECRET, INLINE, WebhookSettings.SECRET_FILE, "/x"));
        WebhookCommands commands = new WebhookCommands(cm.admin);
        String list = commands.webhooks();
        assertTrue(list.contains("secret=set") && list.contains("REFUSED"), list);
        assertHidden(list);
        String updated = commands.webhook("orders", "http://127.0.0.1:10/y");
        assertTrue(updated.contains("secret=set"), updated);
        assertHidden(updated);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.webhook("orders", "gopher://h"));
        assertHidden(e.getMessage());
    }
}

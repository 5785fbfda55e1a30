package earthwo.hooks.webhook.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookCommandsTest {

    @TempDir
    Path dir;

    private final FakeConfigAdmin cm = new FakeConfigAdmin();
    private final WebhookCommands commands = new WebhookCommands(cm.admin);

    @Test
    void createUpdateListDelete() throws Exception {
        Path secret = dir.resolve("orders.secret");
        Files.writeString(secret, "k\n");
        assertEquals("created webhook orders  url=http://127.0.0.1:8080/in  prefixes=order:,invoice:  events=CREATED,DELETED"
                        + "  batch=100  secret=set\n",
                commands.webhook("orders", "http://127.0.0.1:8080/in", "--prefix", "order:", "--prefix", "invoice:",
                        "--events", "CREATED,DELETED", "--secret-file", secret.toString()));
        assertEquals(Map.of("name", "orders", "url", "http://127.0.0.1:8080/in", "prefixes", "order:,invoice:",
                "events", "CREATED,DELETED", "secret.file", secret.toString()), cm.stored.get("earthwo.hooks.webhook~orders"));
        assertEquals("?", cm.locations.get("earthwo.hooks.webhook~orders"), "bound to no bundle location");

        // An update: the filters are what the command line says, the secret and other keys are kept.
        cm.stored.get("earthwo.hooks.webhook~orders").put("batch.size", "7");
        assertEquals("updated webhook orders  url=https://example.test/in  prefixes=(all)  events=(all)  batch=7  secret=set\n",
                commands.webhook("orders", "https://example.test/in"));
        assertEquals(Map.of("name", "orders", "url", "https://example.test/in", "batch.size", "7",
                "secret.file", secret.toString()), cm.stored.get("earthwo.hooks.webhook~orders"));

        commands.webhook("audit", "http://127.0.0.1:9/a", "--events", "EXPIRED");
        assertEquals("webhook audit  url=http://127.0.0.1:9/a  prefixes=(all)  events=EXPIRED  batch=100  secret=none\n"
                + "webhook orders  url=https://example.test/in  prefixes=(all)  events=(all)  batch=7  secret=set\n",
                commands.webhooks());

        assertEquals("deleted webhook orders\n", commands.webhook("--delete", "orders"));
        assertEquals(1, cm.stored.size());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.webhook("--delete", "orders"))
                .getMessage().contains("no webhook named orders"));
        commands.webhook("--delete", "audit");
        assertEquals("no webhooks configured\n", commands.webhooks());
    }

    @Test
    void aWebhookFromAConfigFileIsFoundByItsNameAndKeepsItsFile() throws Exception {
        cm.add("earthwo.hooks.webhook.3f2a", WebhookSettings.PID, Map.of("name", "files", "url", "http://127.0.0.1:1/x",
                "felix.fileinstall.filename", "file:/deploy/earthwo.hooks.webhook-files.cfg"));
        assertTrue(commands.webhook("files", "http://127.0.0.1:2/y").startsWith("updated webhook files"));
        assertEquals(1, cm.stored.size());
        assertEquals("file:/deploy/earthwo.hooks.webhook-files.cfg",
                cm.stored.get("earthwo.hooks.webhook.3f2a").get("felix.fileinstall.filename"));
        assertEquals("http://127.0.0.1:2/y", cm.stored.get("earthwo.hooks.webhook.3f2a").get("url"));
    }

    @Test
    void aCommandThatWouldMakeABadConfigurationChangesNothing() throws Exception {
        for (String[] bad : new String[][] {
                {"orders", "ftp://h/x"},
                {"orders", "http://h/x", "--events", "TOUCHED"},
                {"orders", "http://h/x", "--secret-file", "relative"},
                {"orders", "http://h/x", "--secret-file", dir.resolve("missing").toString()}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.webhook(bad),
                    String.join(" ", bad));
            assertTrue(e.getMessage().contains("not saved"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.webhook("bad name", "http://h/x"))
                .getMessage().contains("a webhook name is"));
        assertEquals(Map.of(), cm.stored);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.webhook("--delete", "a)(name=*"))
                .getMessage().contains("a webhook name is"));
    }

    @Test
    void aConfigurationTheWebhookRefusesIsListedWithTheReason() throws Exception {
        cm.add("x", WebhookSettings.PID, Map.of("name", "broken", "url", "gopher://h"));
        String out = commands.webhooks();
        assertTrue(out.startsWith("webhook broken  url=gopher://h") && out.contains("REFUSED: setting url must start with"), out);
    }

    @Test
    void withoutConfigurationAdminTheCommandsSaySo() {
        WebhookCommands none = new WebhookCommands(null);
        assertTrue(assertThrows(IllegalStateException.class, none::webhooks).getMessage().contains("ConfigurationAdmin"));
        assertThrows(IllegalStateException.class, () -> none.webhook("a", "http://h"));
    }
}

package earthwo.hooks.webhook.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyHook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSettingsTest {

    @TempDir
    Path dir;

    private static Map<String, Object> config(String... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put(WebhookSettings.NAME, "orders");
        m.put(WebhookSettings.URL, "https://example.test/hook");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private static String refused(Map<String, Object> config) {
        return assertThrows(IllegalArgumentException.class, () -> WebhookSettings.resolve(config)).getMessage();
    }

    @Test
    void defaultsAndServiceProperties() {
        WebhookSettings s = WebhookSettings.resolve(config());
        assertEquals("orders", s.name);
        assertEquals("https://example.test/hook", s.url.toString());
        assertEquals(List.of(), s.prefixes);
        assertEquals(List.of(), s.events);
        assertEquals(100, s.batch);
        assertEquals(10_000, s.timeoutMs);
        assertEquals(30_000, s.backoffMaxMs);
        assertNull(s.secret);
        Map<String, Object> p = s.serviceProperties();
        assertEquals("orders", p.get(KeyHook.NAME));
        assertEquals(100, p.get(KeyHook.BATCH));
        assertEquals(10_000L, p.get(KeyHook.TIMEOUT_MS));
        assertEquals(30_000L, p.get(KeyHook.MAX_BACKOFF_MS));
        assertFalse(p.containsKey(KeyHook.PREFIXES), "no filter: no property");
        assertFalse(p.containsKey(KeyHook.EVENTS));
    }

    @Test
    void listsAreCommaSeparatedTrimmedAndCheckedAgainstTheEventTypes() {
        WebhookSettings s = WebhookSettings.resolve(config(WebhookSettings.PREFIXES, " order: , invoice:,,",
                WebhookSettings.EVENTS, "created, DELETED", WebhookSettings.BATCH, "1000",
                WebhookSettings.TIMEOUT, "2500", WebhookSettings.BACKOFF_MAX, "60000"));
        assertEquals(List.of("order:", "invoice:"), s.prefixes);
        assertEquals(List.of(EventType.CREATED, EventType.DELETED), s.events);
        Map<String, Object> p = s.serviceProperties();
        assertArrayEquals(new String[] {"order:", "invoice:"}, (String[]) p.get(KeyHook.PREFIXES));
        assertArrayEquals(new String[] {"CREATED", "DELETED"}, (String[]) p.get(KeyHook.EVENTS));
        assertEquals(1000, p.get(KeyHook.BATCH));
        assertEquals(2500L, p.get(KeyHook.TIMEOUT_MS));
        assertEquals(60_000L, p.get(KeyHook.MAX_BACKOFF_MS));
    }

    @Test
    void typedValuesOfAConfigFileAreAccepted() {
        Map<String, Object> c = config();
        c.put(WebhookSettings.PREFIXES, new String[] {"a:", "b:"});
        c.put(WebhookSettings.EVENTS, List.of("EXPIRED"));
        c.put(WebhookSettings.BATCH, 5);
        c.put(WebhookSettings.TIMEOUT, 700L);
        WebhookSettings s = WebhookSettings.resolve(c);
        assertEquals(List.of("a:", "b:"), s.prefixes);
        assertEquals(List.of(EventType.EXPIRED), s.events);
        assertEquals(5, s.batch);
        assertEquals(700, s.timeoutMs);
    }

    @Test
    void onlyHttpAndHttpsUrlsWithAHostAndNoCredentials() {
        assertEquals("http", WebhookSettings.resolve(config(WebhookSettings.URL, "http://127.0.0.1:8080/x")).url.getScheme());
        assertEquals("HTTPS", WebhookSettings.resolve(config(WebhookSettings.URL, "HTTPS://h/x")).url.getScheme());
        for (String bad : new String[] {"ftp://h/x", "file:///etc/passwd", "h/x", "mailto:a@b", "javascript:alert(1)"}) {
            String m = refused(config(WebhookSettings.URL, bad));
            assertTrue(m.contains("url must start with http:// or https://"), bad + ": " + m);
        }
        assertTrue(refused(config(WebhookSettings.URL, "http:///nohost")).contains("no host"));
        assertTrue(refused(config(WebhookSettings.URL, "http://a b/")).contains("not a URL"));
        assertTrue(refused(config(WebhookSettings.URL, "https://user:pw@h/x")).contains("user information"));
        assertFalse(refused(config(WebhookSettings.URL, "https://user:pw@h/x")).contains("pw"), "the password is not repeated");
        assertTrue(refused(config(WebhookSettings.URL, null)).contains("url is required"));
        assertTrue(refused(config(WebhookSettings.URL, "  ")).contains("url is required"));
    }

    @Test
    void theNameIsRequiredAndSafe() {
        assertTrue(refused(config(WebhookSettings.NAME, null)).contains("name is required"));
        assertTrue(refused(config(WebhookSettings.NAME, " ")).contains("name is required"));
        for (String bad : new String[] {"a b", "a,b", "a)(x=*", "x".repeat(65), "é", "-a", ".a"}) {
            assertTrue(refused(config(WebhookSettings.NAME, bad)).contains("setting name must be"), bad);
        }
        assertEquals("a.B_c-9", WebhookSettings.resolve(config(WebhookSettings.NAME, "a.B_c-9")).name);
    }

    @Test
    void rangesAreCheckedNamingTheSetting() {
        for (String[] bad : new String[][] {
                {WebhookSettings.BATCH, "0"}, {WebhookSettings.BATCH, "1001"}, {WebhookSettings.BATCH, "many"},
                {WebhookSettings.TIMEOUT, "99"}, {WebhookSettings.TIMEOUT, "300001"},
                {WebhookSettings.BACKOFF_MAX, "99"}, {WebhookSettings.BACKOFF_MAX, "3600001"}}) {
            String m = refused(config(bad[0], bad[1]));
            assertTrue(m.contains(bad[0]), m);
        }
        assertEquals(1, WebhookSettings.resolve(config(WebhookSettings.BATCH, "1")).batch);
    }

    @Test
    void unknownEventsAreRefused() {
        String m = refused(config(WebhookSettings.EVENTS, "CREATED,TOUCHED"));
        assertTrue(m.contains("unknown event 'TOUCHED'") && m.contains("EXPIRED"), m);
    }

    @Test
    void theSecretComesInlineOrFromAnAbsoluteFileNotBoth() throws Exception {
        assertNotNull(WebhookSettings.resolve(config(WebhookSettings.SECRET, "s3cr3t")).secret);
        Path file = dir.resolve("hook.secret");
        Files.writeString(file, "from-file\n");
        WebhookSettings s = WebhookSettings.resolve(config(WebhookSettings.SECRET_FILE, file.toString()));
        assertEquals(new Secret("from-file").sign(new byte[] {1}), s.secret.sign(new byte[] {1}), "read and trimmed");

        assertTrue(refused(config(WebhookSettings.SECRET, "x", WebhookSettings.SECRET_FILE, file.toString()))
                .contains("exclude each other"));
        assertTrue(refused(config(WebhookSettings.SECRET_FILE, "relative/file")).contains("absolute"));
        assertTrue(refused(config(WebhookSettings.SECRET_FILE, dir.resolve("missing").toString())).contains("missing or empty"));
        Files.writeString(dir.resolve("empty"), "  \n");
        assertTrue(refused(config(WebhookSettings.SECRET_FILE, dir.resolve("empty").toString())).contains("missing or empty"));
        assertTrue(refused(config(WebhookSettings.SECRET, "   ")).contains("blank"));
    }
}

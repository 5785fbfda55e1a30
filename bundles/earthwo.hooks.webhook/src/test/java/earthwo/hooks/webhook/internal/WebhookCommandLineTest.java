package earthwo.hooks.webhook.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class WebhookCommandLineTest {

    @Test
    void namesAndOptionsInAnyOrderEitherForm() {
        WebhookCommandLine l = WebhookCommandLine.parse("--prefix", "a:", "orders", "http://h/x", "--prefix=b:",
                "--events", "CREATED,DELETED", "--secret-file=/etc/s");
        assertEquals(new WebhookCommandLine(false, "orders", "http://h/x", List.of("a:", "b:"), "CREATED,DELETED", "/etc/s"), l);
        assertEquals(new WebhookCommandLine(false, "o", "http://h", List.of(), null, null), WebhookCommandLine.parse("o", "http://h"));
    }

    @Test
    void delete() {
        assertEquals(new WebhookCommandLine(true, "orders", null, List.of(), null, null),
                WebhookCommandLine.parse("--delete", "orders"));
        assertEquals(new WebhookCommandLine(true, "orders", null, List.of(), null, null),
                WebhookCommandLine.parse("orders", "--delete"));
    }

    @Test
    void mistakesAreRefusedWithTheUsage() {
        for (String[] bad : new String[][] {
                {}, {"orders"}, {"a", "b", "c"}, {"--delete"}, {"--delete", "a", "b"}, {"--delete", "a", "--prefix", "x"},
                {"--delete=a"}, {"a", "http://h", "--prefix"}, {"a", "http://h", "--secret"}, {"a", "http://h", "--events", "A",
                "--events", "B"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WebhookCommandLine.parse(bad),
                    String.join(" ", bad));
            assertTrue(e.getMessage().contains(WebhookCommandLine.USAGE), e.getMessage());
        }
    }
}

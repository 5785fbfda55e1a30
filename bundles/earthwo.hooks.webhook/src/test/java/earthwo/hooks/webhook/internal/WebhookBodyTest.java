package earthwo.hooks.webhook.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import earthwo.api.Keys;
import earthwo.api.Version;
import earthwo.api.hooks.EventType;
import earthwo.api.hooks.KeyEvent;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import org.junit.jupiter.api.Test;

class WebhookBodyTest {

    private static JsonObject parse(byte[] body) {
        return JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Test
    void aBatchOfEveryKindOfEvent() {
        Version v = Version.of(1_700_000_000_123L, 5, 3);
        byte[] binaryKey = {(byte) 0xff, 0x00, 0x41};
        List<KeyEvent> events = List.of(
                KeyEvent.change(EventType.CREATED, Keys.utf8("order:<1>"), v, 12, 0, Keys.utf8("v1"), false),
                KeyEvent.change(EventType.UPDATED, Keys.utf8("order:1"), v, 12, 1_800_000_000_000L, Keys.utf8("v"), true),
                KeyEvent.change(EventType.DELETED, binaryKey, v, 4, 0, null, false),
                KeyEvent.change(EventType.EXPIRED, Keys.utf8("s"), v, 4, 1_700_000_000_000L, null, false),
                KeyEvent.gap(9, v, 42));
        JsonObject root = parse(WebhookBody.render("orders", OptionalInt.of(3), events));
        assertEquals(Set.of("hook", "node", "events"), root.keySet());
        assertEquals("orders", root.get("hook").getAsString());
        assertEquals(3, root.get("node").getAsInt());
        JsonArray a = root.getAsJsonArray("events");
        assertEquals(5, a.size());

        JsonObject created = a.get(0).getAsJsonObject();
        assertEquals(Set.of("id", "type", "key", "keyBase64", "version", "segment", "expiresAt", "value", "valueTruncated"),
                created.keySet());
        assertEquals(events.get(0).id(), created.get("id").getAsString());
        assertEquals("CREATED", created.get("type").getAsString());
        assertEquals("order:<1>", created.get("key").getAsString());
        assertEquals(Base64.getEncoder().encodeToString(Keys.utf8("order:<1>")), created.get("keyBase64").getAsString());
        assertEquals(v.timestamp() + ".3", created.get("version").getAsString());
        assertEquals(12, created.get("segment").getAsInt());
        assertEquals(0, created.get("expiresAt").getAsLong());
        assertEquals("v1", new String(Base64.getDecoder().decode(created.get("value").getAsString()), StandardCharsets.UTF_8));
        assertFalse(created.get("valueTruncated").getAsBoolean());

        JsonObject updated = a.get(1).getAsJsonObject();
        assertEquals("UPDATED", updated.get("type").getAsString());
        assertEquals(1_800_000_000_000L, updated.get("expiresAt").getAsLong());
        assertTrue(updated.get("valueTruncated").getAsBoolean());

        JsonObject deleted = a.get(2).getAsJsonObject();
        assertEquals(Set.of("id", "type", "keyBase64", "version", "segment", "expiresAt"), deleted.keySet(),
                "no text key for bytes that are not UTF-8, no value for a delete");
        assertEquals("/wBB", deleted.get("keyBase64").getAsString());

        JsonObject expired = a.get(3).getAsJsonObject();
        assertEquals(Set.of("id", "type", "key", "keyBase64", "version", "segment", "expiresAt"), expired.keySet());

        JsonObject gap = a.get(4).getAsJsonObject();
        assertEquals("GAP", gap.get("type").getAsString());
        assertEquals(42, gap.get("lost").getAsLong());
        assertEquals("", gap.get("keyBase64").getAsString());
        assertFalse(gap.has("value"));
    }

    @Test
    void theNodeIsOmittedWhenUnknownAndTextIsNotHtmlEscaped() {
        byte[] body = WebhookBody.render("h", OptionalInt.empty(), List.of(Events.created("a<b>&'", "x")));
        JsonObject root = parse(body);
        assertFalse(root.has("node"));
        String text = new String(body, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"key\":\"a<b>&'\""), text);
        assertEquals(0, parse(WebhookBody.render("h", OptionalInt.empty(), List.of())).getAsJsonArray("events").size());
    }

    @Test
    void utf8KeysAreTextAndInvalidOnesAreNot() {
        assertEquals("clé/ключ/🔑", Keys.utf8OrNull(Keys.utf8("clé/ключ/🔑")));
        assertEquals(null, Keys.utf8OrNull(new byte[] {(byte) 0xc3}));
        assertEquals(null, Keys.utf8OrNull(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}), "a lone surrogate");
    }
}
